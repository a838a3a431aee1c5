package org.genai4j.samples.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.genai4j.common.ops.StepContext;
import org.genai4j.common.train.Batch;
import org.genai4j.common.train.LrSchedule;
import org.genai4j.common.train.OptimizerConfig;
import org.genai4j.common.train.Trainer;
import org.genai4j.common.train.TrainerConfig;
import org.genai4j.common.util.Threads;
import org.genai4j.gan.Dcgan;
import org.genai4j.gan.DcganConfig;
import org.genai4j.gan.DcganTrainable;
import org.genai4j.gan.GanBatches;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Training speed of the DCGAN, what {@code genai4j gan bench} runs: images per second of the full
 * training step through the common Trainer (D step on a real and a generated batch, G step, Adam
 * for both), with the batch split over the default (or given) threads and on one thread,
 * alternating in two rounds so both see the same machine load; and the time of a D and a G
 * gradient pass alone on one thread. Random images stand in for data (speed does not depend on
 * pixel values). Each step is timed; images/s is taken at the median step, as the PyTorch reference
 * takes it, with the mean next to it. Ends with {@code images_per_s=N} for the sharded step.
 */
public final class GanBench {
  private GanBench() {}

  /** Untimed steps per model before timing, at least: as many as the PyTorch reference's (its {@code --warmup}). */
  public static final int WARMUP = 20;

  /** The longest warm-up per model, waiting for the JIT compilers to go quiet. */
  public static final double WARMUP_SECONDS = 90;

  /** Steps over which the JIT compilers must have been quiet to end a warm-up (and at least 5 s). */
  private static final int QUIET_STEPS = 50;

  /**
   * One way of running the step and what it measured: the median and mean step, images per second
   * at the median step (as the PyTorch reference reports it) and the process's CPU time per step.
   */
  public record Result(String step, int threads, int steps, double medianMs, double meanMs, double imagesPerSecond,
      double cpuMsPerStep) {}

  /**
   * Runs at least {@code warmup} untimed steps (then more until the JIT compilers are quiet, for
   * at most {@code warmupSeconds}; 0: exactly {@code warmup}) and {@code steps} timed training
   * steps at {@code batch} for each of the sharded step ({@code threads} threads, 0 for the
   * trainer's default) and the one-thread step, prints a table to {@code out} and returns the
   * sharded step's result.
   */
  public static Result run(DcganConfig config, int batch, int steps, int warmup, double warmupSeconds, int threads,
      PrintStream out) {
    if (steps < 1 || warmup < 0 || threads < 0 || !(warmupSeconds >= 0)) {
      throw new IllegalArgumentException("bench needs steps >= 1, warmup >= 0, warmup seconds >= 0 and threads >= 0,"
          + " got " + steps + ", " + warmup + ", " + warmupSeconds + ", " + threads);
    }
    Nd4j.getRandom().setSeed(2);
    INDArray images = Nd4j.rand(DataType.FLOAT, Math.max(batch * 4, 256), config.channels(), config.imageSize(),
        config.imageSize());
    GanBatches source = new GanBatches(images, config, batch);
    OptimizerConfig adam = OptimizerConfig.adam(LrSchedule.constant(config.learningRate()), config.beta1(),
        config.beta2());
    int sharded = TrainerConfig.of(1, 1).withThreads(threads).effectiveThreads();
    int[] counts = sharded > 1 ? new int[] {sharded, 1} : new int[] {1};
    String[] names = sharded > 1 ? new String[] {"sharded", "one thread"} : new String[] {"one thread"};
    DcganTrainable[] models = new DcganTrainable[counts.length];
    Warmup[] warmups = new Warmup[counts.length];
    for (int k = 0; k < counts.length; k++) {
      models[k] = new DcganTrainable(new Dcgan(config, 1));
      warmups[k] = warmupSeconds > 0 ? new Warmup(warmup, QUIET_STEPS, 5, warmupSeconds) : Warmup.steps(warmup);
      if (warmup > 0 || warmupSeconds > 0) {
        // As many steps as an hour could hold: the warm-up listener ends the run.
        new Trainer(models[k], adam, TrainerConfig.of(1_000_000, 3).withLogEvery(1_000_000).withThreads(counts[k]))
            .addListener(warmups[k].start()).fit(source);
      }
    }
    String loadBefore = Threads.loadAverage();
    StepTimes[] times = new StepTimes[counts.length];
    for (int k = 0; k < counts.length; k++) {
      times[k] = new StepTimes(0);
    }
    int rounds = steps >= 2 ? 2 : 1;
    for (int round = 0; round < rounds; round++) {
      int n = round == rounds - 1 ? steps - steps / rounds * (rounds - 1) : steps / rounds;
      for (int k = 0; k < counts.length; k++) {
        // One step more than timed: the trainer polls its listeners after every step but its last.
        Trainer trainer = new Trainer(models[k], adam, TrainerConfig.of(n + 1, 4 + round).withLogEvery(n)
            .withThreads(counts[k])).addListener(times[k]);
        times[k].start(n);
        trainer.fit(source);
      }
    }
    List<Result> results = new ArrayList<>();
    for (int k = 0; k < counts.length; k++) {
      double median = times[k].medianMs();
      results.add(new Result(names[k], counts[k], times[k].count(), median, times[k].meanMs(), batch * 1000.0 / median,
          times[k].cpuMsPerStep()));
    }
    // Each group's gradient pass alone, one thread, no optimizer: where a step's time goes.
    Batch b = source.next(new Random(5));
    DcganTrainable one = models[counts.length - 1];
    int reps = Math.max(2, steps / 2);
    double dMs = 0;
    double gMs = 0;
    for (int i = 0; i < reps; i++) {
      StepContext ctx = StepContext.training(7, i);
      long t0 = System.nanoTime();
      one.discriminator().computeGradients(b, ctx);
      long t1 = System.nanoTime();
      one.generator().computeGradients(b, ctx);
      dMs += (t1 - t0) / 1e6 / reps;
      gMs += (System.nanoTime() - t1) / 1e6 / reps;
    }

    Dcgan m = one.model();
    out.printf(Locale.ROOT, "DCGAN bench: %dx%dx%d, z %d, base %d (%,d parameters), batch %d, Adam %s (%s, %s)%n",
        config.imageSize(), config.imageSize(), config.channels(), config.latentSize(), config.baseFeatures(),
        m.parameterCount(), batch, config.learningRate(), config.beta1(), config.beta2());
    out.println("machine: " + Threads.machine() + " | ND4J threads " + Threads.current() + " | step threads: "
        + (sharded > 1 ? "sharded " + sharded + ", and 1" : "1"));
    for (int k = 0; k < counts.length; k++) {
      out.println(names[k] + ": " + warmups[k].describe());
    }
    out.println("(median and mean of the timed steps; images/s at the median step, as ../shared/bench/dcgan_ref.py"
        + " reports PyTorch's)");
    out.println("| step | threads | steps | median ms | mean ms | images/s | CPU ms/step | images per CPU-s |");
    out.println("|---|---|---|---|---|---|---|---|");
    for (Result r : results) {
      out.printf(Locale.ROOT, "| %s | %d | %d | %.1f | %.1f | %.1f | %.1f | %.1f |%n", r.step(), r.threads(), r.steps(),
          r.medianMs(), r.meanMs(), r.imagesPerSecond(), r.cpuMsPerStep(), batch * 1000.0 / r.cpuMsPerStep());
    }
    out.printf(Locale.ROOT, "gradient passes on one thread (no optimizer): D %.1f ms, G %.1f ms (G reuses the D"
        + " pass's generated images)%n", dMs, gMs);
    if (sharded > 1) {
      out.printf(Locale.ROOT, "%d threads run at %.2fx the images/s of one%n", sharded,
          results.get(0).imagesPerSecond() / results.get(1).imagesPerSecond());
    }
    out.println("load average at start " + loadBefore + ", at end " + Threads.loadAverage());
    out.printf(Locale.ROOT, "images_per_s=%.1f%n", results.get(0).imagesPerSecond());
    return results.get(0);
  }

  /** {@code GanBench [steps] [threads]}: the reference 28x28 DCGAN at batch 64. */
  public static void main(String[] args) {
    int steps = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 0;
    run(DcganConfig.fashionMnist(), 64, steps, WARMUP, WARMUP_SECONDS, threads, System.out);
  }
}
