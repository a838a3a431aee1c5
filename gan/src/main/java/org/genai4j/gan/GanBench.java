package org.genai4j.gan;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.genai4j.common.train.Batch;
import org.genai4j.common.train.OptimizerConfig;
import org.genai4j.common.train.LrSchedule;
import org.genai4j.common.train.Trainer;
import org.genai4j.common.train.TrainerConfig;
import org.genai4j.common.util.Shards;
import org.genai4j.common.util.Threads;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Training-step speed of the DCGAN: images per second through the common Trainer (one step = a
 * discriminator step on a real and a generated batch, then a generator step), and the time of each
 * group's forward + backward pass alone, for the hand-written step and the SameDiff one. Random images stand in for data (speed does not depend on
 * pixel values).
 */
public final class GanBench {
  private GanBench() {}

  /** What one benchmark run measured for one implementation of the step ({@code step}). */
  public record Result(String step, DcganConfig config, int batch, int threads, int shards, int steps, double msPerStep,
      double imagesPerSecond, double cpuMsPerStep, double dGradMs, double gGradMs) {}

  /**
   * Runs {@code warmup} untimed and {@code steps} timed training steps at {@code batch}, with
   * {@code threads} ND4J/OpenMP threads (0 keeps the current setting), for the hand-written step
   * (the default) with its batch split over {@link Shards#countFor} threads, the same on one thread
   * (when that count is above 1) and the SameDiff graphs' step, alternating in two rounds so all see
   * the same machine load, and prints a table to {@code out}.
   */
  public static List<Result> run(DcganConfig config, int batch, int steps, int warmup, int threads, PrintStream out) {
    if (steps < 1 || warmup < 0) {
      throw new IllegalArgumentException("bench needs steps >= 1 and warmup >= 0, got " + steps + ", " + warmup);
    }
    if (threads > 0) {
      Threads.set(threads);
    }
    int usedThreads = Threads.openMp();
    Nd4j.getRandom().setSeed(2);
    INDArray images = Nd4j.rand(DataType.FLOAT, Math.max(batch * 4, 256), config.channels(), config.imageSize(), config.imageSize());
    GanBatches source = new GanBatches(images, config, batch);
    OptimizerConfig adam = OptimizerConfig.adam(LrSchedule.constant(config.learningRate()), config.beta1(), config.beta2());
    int shards = Shards.countFor(batch);
    // The hand-written step as configured, on one shard for comparison (when that differs), SameDiff's.
    List<String> names = new ArrayList<>(List.of("hand-written"));
    List<Integer> shardCounts = new ArrayList<>(List.of(shards));
    if (shards > 1) {
      names.add("hand-written");
      shardCounts.add(1);
    }
    names.add("SameDiff");
    shardCounts.add(1);
    int kinds = names.size();
    Dcgan[] models = new Dcgan[kinds];
    for (int k = 0; k < kinds; k++) {
      models[k] = new Dcgan(config, 1);
      models[k].useFastStep(k < kinds - 1);
      int kind = k;
      withShards(shardCounts.get(k), () -> new Trainer(models[kind], adam,
          TrainerConfig.of(warmup, 3).withLogEvery(Math.max(1, warmup))).fit(source));
    }
    double[] wall = new double[kinds];
    double[] cpu = new double[kinds];
    int[] done = new int[kinds];
    double[] kernel0 = models[0].kernel().convAndStepMillis();
    String loadBefore = Threads.loadAverage();
    int rounds = steps >= 2 ? 2 : 1;
    for (int round = 0; round < rounds; round++) {
      int n = round == rounds - 1 ? steps - steps / rounds * (rounds - 1) : steps / rounds;
      for (int k = 0; k < kinds; k++) {
        Trainer trainer = new Trainer(models[k], adam, TrainerConfig.of(n, 4 + round).withLogEvery(n));
        int kind = k;
        withShards(shardCounts.get(k), () -> {
          long t0 = System.nanoTime();
          long c0 = processCpuNanos();
          trainer.fit(source);
          wall[kind] += (System.nanoTime() - t0) / 1e6;
          cpu[kind] += (processCpuNanos() - c0) / 1e6;
        });
        done[k] += n;
      }
    }
    double[] kernel1 = models[0].kernel().convAndStepMillis();
    // Each group's gradient computation alone (no optimizer), to show where a step's time goes.
    Batch b = source.next(new Random(5));
    int reps = Math.max(2, steps / 2);
    List<Result> results = new ArrayList<>();
    for (int k = 0; k < kinds; k++) {
      Dcgan model = models[k];
      double[] ms2 = new double[2];
      withShards(shardCounts.get(k), () -> {
        ms2[0] = time(() -> model.discriminator().computeGradients(b), reps);
        ms2[1] = time(() -> model.generator().computeGradients(b), reps);
      });
      double ms = wall[k] / done[k];
      results.add(new Result(names.get(k), config, batch, usedThreads, shardCounts.get(k), done[k], ms,
          batch * 1000.0 / ms, cpu[k] / done[k], ms2[0], ms2[1]));
    }
    print(results, out);
    double[] per = new double[4];
    for (int i = 0; i < 4; i++) {
      per[i] = (kernel1[i] - kernel0[i]) / done[0];
    }
    if (shards > 1) {
      out.printf("hand-written step: %d shards run at %.2fx the images/s of 1 shard%n", shards,
          results.get(0).imagesPerSecond() / results.get(1).imagesPerSecond());
    }
    out.printf("hand-written step (%s; the calling thread's part), per training step: convolution kernels %.1f ms wall / %.1f ms CPU; rest of the"
        + " D and G passes (batch norm, activations, loss, gemms, copies) %.1f ms wall / %.1f ms CPU; outside them"
        + " (optimizer, batches) %.1f ms wall%n", shards == 1 ? "1 shard" : shards + " shards", per[0], per[2], per[1] - per[0], per[3] - per[2],
        results.get(0).msPerStep() - per[1]);
    out.println("load average at start " + loadBefore + ", at end " + Threads.loadAverage());
    return results;
  }

  /** Runs {@code body} with the hand-written step's shard count set to {@code n}, then restores it. */
  private static void withShards(int n, Runnable body) {
    int before = Shards.count();
    Shards.setCount(n);
    try {
      body.run();
    } finally {
      Shards.setCount(before);
    }
  }

  /** CPU time of the whole process: on a shared machine it shows the work a step costs, which wall time hides. */
  static long processCpuNanos() {
    var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean o ? o.getProcessCpuTime() : 0;
  }

  private static double time(Runnable body, int reps) {
    long t0 = System.nanoTime();
    for (int i = 0; i < reps; i++) {
      body.run();
    }
    return (System.nanoTime() - t0) / 1e6 / reps;
  }

  static void print(List<Result> results, PrintStream out) {
    Result r = results.get(0);
    DcganConfig c = r.config();
    out.printf("DCGAN bench: %dx%dx%d, z %d, base %d (G %,d + D %,d params), batch %d%n",
        c.imageSize(), c.imageSize(), c.channels(), c.latentSize(), c.baseFeatures(),
        count(new Dcgan(c, 0).generator().parameters()), count(new Dcgan(c, 0).discriminator().parameters()), r.batch());
    out.println("machine: " + Threads.machine() + " | hand-written step shards=" + r.shards());
    out.println("| step | shards | steps | ms/step | images/s | CPU ms/step | images per CPU-s | D fwd+bwd ms | G fwd+bwd ms |");
    out.println("|---|---|---|---|---|---|---|---|---|");
    for (Result x : results) {
      out.printf("| %s | %d | %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f |%n", x.step(), x.shards(), x.steps(), x.msPerStep(),
          x.imagesPerSecond(), x.cpuMsPerStep(), x.batch() * 1000.0 / x.cpuMsPerStep(), x.dGradMs(), x.gGradMs());
    }
  }

  private static long count(Map<String, INDArray> params) {
    return params.values().stream().mapToLong(INDArray::length).sum();
  }




  /** {@code GanBench [steps] [threads] [batch]}: the reference 28x28 DCGAN. */
  public static void main(String[] args) {
    int steps = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 0;
    int batch = args.length > 2 ? Integer.parseInt(args[2]) : 64;
    run(DcganConfig.fashionMnist(), batch, steps, 3, threads, System.out);
  }
}
