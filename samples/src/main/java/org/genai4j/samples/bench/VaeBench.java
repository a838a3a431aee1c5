package org.genai4j.samples.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
 * forward, backward, the shards' gradient sum, Adam) on random binary 28x28 images, each step timed
 * after a warm-up that lets the JIT compile the loops; images/s is taken at the median step, as
 * the PyTorch reference takes it, and the mean is printed next to it. Rows: the MLP 784-512-20 VAE with the batch split
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

  /** Steps over which the JIT compilers must have been quiet to end a warm-up (and at least 5 s). */
  private static final int QUIET_STEPS = 100;

  /**
   * One measured setting: the median and mean step, images per second at the median step (as the
   * PyTorch reference reports it), and the process's CPU time (all threads) per step.
   */
  public record Row(String model, int threads, double medianMs, double meanMs, double imagesPerSecond,
      double cpuMsPerStep) {}

  /**
   * Measures and prints the table; returns its rows (MLP on the default threads, MLP on one thread,
   * conv on the default threads). Each row warms up for at least {@code warmup} steps, then until
   * the JIT compilers are quiet, for at most {@code warmupSeconds} (0: exactly {@code warmup}
   * steps).
   */
  public static List<Row> run(int batch, int warmup, double warmupSeconds, int steps, int convSteps,
      PrintStream out) {
    if (batch < 1 || warmup < 1 || steps < 1 || convSteps < 1 || !(warmupSeconds >= 0)) {
      throw new IllegalArgumentException("bench needs --batch, --warmup, --steps and --conv-steps >= 1 and"
          + " --warmup-seconds >= 0, got " + batch + ", " + warmup + ", " + steps + ", " + convSteps + ", "
          + warmupSeconds);
    }
    VaeConfig mlp = VaeConfig.mlp(1, 28, 28, List.of(512), 20);
    VaeConfig conv = VaeConfig.conv(1, 28, 28, List.of(32, 64), 20);
    int threads = Parallel.defaultThreads();
    out.println("VAE training step (Adam, batch " + batch + ", random binary 28x28 images; warm-up of at least "
        + warmup + " steps" + (warmupSeconds > 0 ? " and until the JIT compilers are quiet (at most " + warmupSeconds
        + " s)" : "") + ", then " + steps + " timed steps MLP, " + convSteps + " conv)");
    out.println("  MLP:  " + mlp.describe());
    out.println("  conv: " + conv.describe());
    out.println("threads: " + threads + " by default (the batch's shards), each running ND4J/OpenMP on "
        + Threads.openMp() + " and BLAS on " + Threads.blas());
    out.println("machine: " + Threads.machine());
    out.println("(ms/step: median and mean of the timed steps; images/s at the median step, as"
        + " ../shared/bench/vae_ref.py reports PyTorch's)");
    out.printf(Locale.ROOT, "%-6s %-8s %10s %10s %10s %12s%n", "model", "threads", "median ms", "mean ms", "images/s",
        "CPU ms/step");
    List<Row> rows = new ArrayList<>();
    rows.add(measure("MLP", mlp, batch, warmup(warmup, warmupSeconds), steps, 0, out));
    rows.add(measure("MLP", mlp, batch, warmup(warmup, warmupSeconds), steps, 1, out));
    rows.add(measure("conv", conv, batch, warmup(Math.min(warmup, CONV_WARMUP), warmupSeconds), convSteps, 0, out));
    out.println("(load average after: " + Threads.loadAverage() + ")");
    out.printf(Locale.ROOT, "images_per_s=%.0f%n", rows.get(0).imagesPerSecond());
    return rows;
  }

  private static Warmup warmup(int steps, double seconds) {
    return seconds > 0 ? new Warmup(steps, QUIET_STEPS, 5, seconds) : Warmup.steps(steps);
  }

  private static Row measure(String name, VaeConfig config, int batch, Warmup warmup, int steps, int threads,
      PrintStream out) {
    Nd4j.getRandom().setSeed(2);
    INDArray images = Nd4j.rand(DataType.FLOAT, (long) batch * 16, 1, 28, 28).gt(0.5).castTo(DataType.FLOAT);
    StepTimes times = new StepTimes(warmup, steps);
    // The warm-up's length is not known up front: epochs (of 16 steps) enough for an hour; the
    // listener ends the run.
    int epochs = 1_000_000;
    times.start();
    VaeTraining.train(images, null, config, new VaeTrainOptions(epochs, batch, 1e-3, 4, threads, null, false, false),
        List.of(times));
    double median = times.medianMs();
    Row r = new Row(name, threads > 0 ? threads : Parallel.defaultThreads(), median, times.meanMs(),
        batch * 1000.0 / median, times.cpuMsPerStep());
    out.printf(Locale.ROOT, "%-6s %-8s %10.2f %10.2f %10.0f %12.2f   (%s)%n", r.model(),
        r.threads() + (threads == 0 ? " (dflt)" : ""), r.medianMs(), r.meanMs(), r.imagesPerSecond(), r.cpuMsPerStep(),
        warmup.describe());
    return r;
  }
}
