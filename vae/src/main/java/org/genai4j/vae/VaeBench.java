package org.genai4j.vae;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.genai4j.common.train.LrSchedule;
import org.genai4j.common.train.OptimizerConfig;
import org.genai4j.common.train.StepRecord;
import org.genai4j.common.train.Trainer;
import org.genai4j.common.train.TrainerConfig;
import org.genai4j.common.train.TrainingListener;
import org.genai4j.common.util.Shards;
import org.genai4j.common.util.Threads;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Training-step throughput of a VAE: full trainer steps (batch, forward, backward, Adam) on
 * synthetic binary images, after a warm-up, for each ND4J thread count asked for, with the
 * hand-written MLP step (when the config has one) and with SameDiff's gradients, measured back to
 * back so their ratio holds on a noisy machine. Prints a table that states the model, batch,
 * threads and machine.
 *
 * <p>Run: {@code java ... org.genai4j.vae.VaeBench [--arch mlp|conv] [--batch 128] [--threads 1,2]
 * [--steps 100] [--warmup 100]}.
 */
public final class VaeBench {
  private VaeBench() {}

  /**
   * One measured setting; {@code step} is "hand-written" or "SameDiff", {@code shards} the threads
   * the batch was split over, {@code cpuMsPerStep} the process's CPU time (all threads) per step.
   */
  public record Row(int threads, int shards, String step, double msPerStep, double imagesPerSecond,
      double cpuMsPerStep) {}

  public static void main(String[] args) {
    String arch = "mlp";
    int batch = 128;
    int steps = 100;
    // Warm-up steps let the JIT compile the hand-written step (20 measured several percent slow).
    int warmup = 100;
    int[] threads = {0};
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--arch" -> arch = args[i + 1];
        case "--batch" -> batch = Integer.parseInt(args[i + 1]);
        case "--steps" -> steps = Integer.parseInt(args[i + 1]);
        case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
        case "--threads" -> threads = Arrays.stream(args[i + 1].split(",")).mapToInt(Integer::parseInt).toArray();
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + " (expected --arch, --batch, --threads, --steps, --warmup)");
      }
    }
    if (steps < 1 || warmup < 0 || batch < 1) {
      throw new IllegalArgumentException("bench needs --steps >= 1, --warmup >= 0 and --batch >= 1, got "
          + steps + ", " + warmup + ", " + batch);
    }
    VaeConfig config = switch (arch) {
      case "mlp" -> VaeConfig.mlp(1, 28, 28, List.of(512), 20);
      case "conv" -> VaeConfig.conv(1, 28, 28, List.of(32, 64), 20);
      default -> throw new IllegalArgumentException("--arch must be mlp or conv, got " + arch);
    };
    run(config, batch, threads, warmup, steps, System.out);
  }

  /** Measures and prints the table; returns its rows. */
  public static List<Row> run(VaeConfig config, int batch, int[] threads, int warmup, int steps, PrintStream out) {
    out.println("VAE training step: " + describe(config) + ", Adam, batch " + batch);
    out.println("machine: " + Threads.machine());
    out.printf(Locale.ROOT, "%-12s %-6s %-12s %10s %10s %14s %12s%n", "threads/blas", "shards", "step", "ms/step",
        "images/s", "vs SameDiff", "CPU ms/step");
    List<Row> rows = new ArrayList<>();
    for (int requested : threads) {
      if (requested > 0) {
        Threads.set(requested);
      }
      int t = Threads.current();
      List<Row> measured = new ArrayList<>();
      if (FastMlpVaeGroup.supports(config)) {
        int shards = Shards.countFor(batch);
        measured.add(measure(config, batch, warmup, steps, t, true));
        if (shards > 1) {
          // The same step on one thread: what splitting the batch over the cores buys.
          int configured = Shards.configuredCount();
          Shards.setCount(1);
          try {
            measured.add(measure(config, batch, warmup, steps, t, true));
          } finally {
            Shards.setCount(configured);
          }
        }
      }
      Row slow = measure(config, batch, warmup, steps, t, false);
      measured.add(slow);
      for (Row r : measured) {
        rows.add(r);
        out.printf(Locale.ROOT, "%-12s %-6d %-12s %10.2f %10.0f %13.1fx %12.2f%n", r.threads() + "/" + Threads.blas(),
            r.shards(), r.step(), r.msPerStep(), r.imagesPerSecond(), r.imagesPerSecond() / slow.imagesPerSecond(),
            r.cpuMsPerStep());
      }
    }
    out.println("(load average after: " + Threads.loadAverage() + ")");
    return rows;
  }

  private static Row measure(VaeConfig config, int batch, int warmup, int steps, int threads, boolean fast) {
    Vae vae = Vae.create(config, 1);
    vae.useFastStep(fast);
    Nd4j.getRandom().setSeed(2);
    INDArray data = Nd4j.rand(DataType.FLOAT, (long) batch * 16, config.inputSize()).gt(0.5).castTo(DataType.FLOAT);
    EpochBatches batches = new EpochBatches(data, batch, 3);
    Trainer trainer = new Trainer(vae, OptimizerConfig.adam(LrSchedule.constant(1e-3), 0.9, 0.999),
        TrainerConfig.of(warmup + steps, 4));
    long[] marks = new long[4];
    int shards = fast ? Shards.countFor(batch) : 1;
    trainer.addListener(new TrainingListener() {
      @Override
      public void onStep(StepRecord r) {
        if (r.step() == warmup) {
          marks[0] = System.nanoTime();
          marks[2] = processCpuNanos();
        }
        if (r.step() == warmup + steps) {
          marks[1] = System.nanoTime();
          marks[3] = processCpuNanos();
        }
      }
    });
    trainer.fit(batches);
    double ms = (marks[1] - marks[0]) / 1e6 / steps;
    double cpuMs = (marks[3] - marks[2]) / 1e6 / steps;
    return new Row(threads, shards, fast ? "hand-written" : "SameDiff", ms, batch * 1000.0 / ms, cpuMs);
  }

  /** CPU time of this process, all threads (the shards' too). */
  private static long processCpuNanos() {
    var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0;
  }

  static String describe(VaeConfig c) {
    String shape = c.arch() == VaeConfig.Arch.MLP
        ? "MLP " + c.inputSize() + "-" + join(c.hidden()) + c.latent() + "-" + join(reversed(c.hidden())) + c.inputSize()
        : "conv " + c.channels() + "x" + c.height() + "x" + c.width() + " channels " + c.hidden() + " latent " + c.latent();
    return shape + ", " + c.likelihood();
  }

  private static String join(List<Integer> h) {
    StringBuilder b = new StringBuilder();
    h.forEach(x -> b.append(x).append('-'));
    return b.toString();
  }

  private static List<Integer> reversed(List<Integer> h) {
    List<Integer> r = new ArrayList<>(h);
    java.util.Collections.reverse(r);
    return r;
  }



}
