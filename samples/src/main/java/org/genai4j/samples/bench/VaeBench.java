package org.genai4j.samples.bench;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.genai4j.common.train.StepRecord;
import org.genai4j.common.train.TrainingListener;
import org.genai4j.common.util.Parallel;
import org.genai4j.common.util.Threads;
import org.genai4j.vae.VaeConfig;
import org.genai4j.vae.VaeTrainOptions;
import org.genai4j.vae.VaeTraining;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Training throughput of the VAEs: full training steps ({@link VaeTraining#train}: batch gather,
 * forward, backward, the shards' gradient sum, Adam) on random binary 28x28 images, timed after a
 * warm-up that lets the JIT compile the loops. Rows: the MLP 784-512-20 VAE with the batch split
 * over the default threads and on one thread, and the conv VAE (32-64 channels, latent 20) on the
 * default threads. Prints the configuration, threads and machine, and ends with {@code
 * images_per_s=N} for the MLP on the default threads.
 *
 * <p>Run: {@code ./genai4j vae bench [--steps 300] [--conv-steps 60] [--warmup 60] [--batch 128]}.
 */
public final class VaeBench {
  private VaeBench() {}

  /** Conv steps take ~10x an MLP step: fewer of them warm the same loops up. */
  private static final int CONV_WARMUP = 20;

  /** One measured setting; {@code cpuMsPerStep} is the process's CPU time (all threads) per step. */
  public record Row(String model, int threads, double msPerStep, double imagesPerSecond, double cpuMsPerStep) {}

  /**
   * Measures and prints the table; returns its rows (MLP on the default threads, MLP on one thread,
   * conv on the default threads).
   */
  public static List<Row> run(int batch, int warmup, int steps, int convSteps, PrintStream out) {
    if (batch < 1 || warmup < 1 || steps < 1 || convSteps < 1) {
      throw new IllegalArgumentException("bench needs --batch, --warmup, --steps and --conv-steps >= 1,"
          + " got " + batch + ", " + warmup + ", " + steps + ", " + convSteps);
    }
    VaeConfig mlp = VaeConfig.mlp(1, 28, 28, List.of(512), 20);
    VaeConfig conv = VaeConfig.conv(1, 28, 28, List.of(32, 64), 20);
    int threads = Parallel.defaultThreads();
    out.println("VAE training step (Adam, batch " + batch + ", random binary 28x28 images; " + warmup
        + " warm-up steps, then " + steps + " timed steps MLP, " + convSteps + " conv)");
    out.println("  MLP:  " + mlp.describe());
    out.println("  conv: " + conv.describe());
    out.println("threads: " + threads + " by default (the batch's shards), each running ND4J/OpenMP on "
        + Threads.openMp() + " and BLAS on " + Threads.blas());
    out.println("machine: " + Threads.machine());
    out.printf(Locale.ROOT, "%-6s %-8s %10s %10s %12s%n", "model", "threads", "ms/step", "images/s", "CPU ms/step");
    List<Row> rows = new ArrayList<>();
    rows.add(measure("MLP", mlp, batch, warmup, steps, 0, out));
    rows.add(measure("MLP", mlp, batch, warmup, steps, 1, out));
    rows.add(measure("conv", conv, batch, Math.min(warmup, CONV_WARMUP), convSteps, 0, out));
    out.println("(load average after: " + Threads.loadAverage() + ")");
    out.printf(Locale.ROOT, "images_per_s=%.0f%n", rows.get(0).imagesPerSecond());
    return rows;
  }

  private static Row measure(String name, VaeConfig config, int batch, int warmup, int steps, int threads,
      PrintStream out) {
    Nd4j.getRandom().setSeed(2);
    INDArray images = Nd4j.rand(DataType.FLOAT, (long) batch * 16, 1, 28, 28).gt(0.5).castTo(DataType.FLOAT);
    StepTimer timer = new StepTimer(warmup, steps);
    int epochs = (warmup + steps) / 16 + 2;
    VaeTraining.train(images, null, config, new VaeTrainOptions(epochs, batch, 1e-3, 4, threads, null, false, false),
        List.of(timer));
    double ms = timer.wallNanos() / 1e6 / steps;
    Row r = new Row(name, threads > 0 ? threads : Parallel.defaultThreads(), ms, batch * 1000.0 / ms,
        timer.cpuNanos() / 1e6 / steps);
    out.printf(Locale.ROOT, "%-6s %-8s %10.2f %10.0f %12.2f%n", r.model(), r.threads() + (threads == 0 ? " (dflt)" : ""),
        r.msPerStep(), r.imagesPerSecond(), r.cpuMsPerStep());
    return r;
  }

  /** Times the steps after the warm-up (polled once per step), then ends the run. */
  private static final class StepTimer implements TrainingListener {
    private final int warmup;
    private final int steps;
    private int done;
    private long wall0;
    private long wall1;
    private long cpu0;
    private long cpu1;

    StepTimer(int warmup, int steps) {
      this.warmup = warmup;
      this.steps = steps;
    }

    @Override
    public void onStep(StepRecord record) {}

    @Override
    public boolean stopRequested() {
      done++;
      if (done == warmup) {
        wall0 = System.nanoTime();
        cpu0 = processCpuNanos();
      }
      if (done == warmup + steps) {
        wall1 = System.nanoTime();
        cpu1 = processCpuNanos();
        return true;
      }
      return false;
    }

    long wallNanos() {
      return wall1 - wall0;
    }

    long cpuNanos() {
      return cpu1 - cpu0;
    }
  }

  /** CPU time of this process, all threads (the shards' too). */
  private static long processCpuNanos() {
    var os = ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0;
  }
}
