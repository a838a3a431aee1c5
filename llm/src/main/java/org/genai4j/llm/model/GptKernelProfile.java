package org.genai4j.llm.model;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.Random;
import org.genai4j.common.train.Batch;
import org.genai4j.common.train.ParameterGroup;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Where the hand-written training step ({@link GptKernel}) of the reference GPT (4 layers, 4
 * heads, width 128, block 64, batch 12, vocabulary 65) spends its time: wall and CPU time of
 * {@code computeGradients} per step, the part inside BLAS products, and the time per phase
 * (layer norms, linear layers, attention, GELU, head and loss, embeddings), forward plus backward. Random token batches; no optimizer step. Run with OMP_NUM_THREADS=1.
 */
public final class GptKernelProfile {
  private GptKernelProfile() {}

  /** args: [rounds] (default 6) of 10 steps each, after 5 warmup steps. */
  public static void main(String[] args) {
    run(args.length > 0 ? Integer.parseInt(args[0]) : 6, System.out);
  }

  /**
   * Runs {@code rounds} rounds of 10 steps and prints the round with the least CPU time, timing
   * phases in thread CPU time: on a shared machine wall time measures the other processes too.
   */
  public static void run(int rounds, PrintStream out) {
    GptConfig c = GptConfig.of(65, 4, 4, 128, 64);
    int batch = 12;
    int time = 64;
    // One shard: this profiles the kernel on one thread (the step's other shards would run the same code).
    int configuredShards = org.genai4j.common.util.Shards.configuredCount();
    org.genai4j.common.util.Shards.setCount(1);
    try {
      profile(rounds, out, c, batch, time);
    } finally {
      org.genai4j.common.util.Shards.setCount(configuredShards);
    }
  }

  private static void profile(int rounds, PrintStream out, GptConfig c, int batch, int time) {
    int steps = 10;
    GptModel m = new GptModel(c, batch, time, true, 1);
    ParameterGroup g = m.parameterGroups().get(0);
    GptKernel k = ((GptKernelGroup) g).kernel();
    k.useCpuClock(true);
    Random r = new Random(1);
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    for (int i = 0; i < 10; i++) {
      g.computeGradients(randomBatch(r, c, batch, time));
    }
    GptKernel.Phase[] phases = GptKernel.Phase.values();
    double[] best = null; // wall, cpu, gemm, calls, phases...
    for (int round = 0; round < rounds; round++) {
      double[] before = counters(k, phases);
      long t0 = System.nanoTime();
      long c0 = os.getProcessCpuTime();
      for (int i = 0; i < steps; i++) {
        g.computeGradients(randomBatch(r, c, batch, time));
      }
      double[] now = counters(k, phases);
      now[0] = System.nanoTime() - t0;
      now[1] = os.getProcessCpuTime() - c0;
      for (int j = 2; j < now.length; j++) now[j] -= before[j];
      for (int j = 0; j < now.length; j++) now[j] /= steps;
      if (best == null || now[1] < best[1]) best = now;
    }
    // Matrix-product FLOPs of one step: forward 2*N*(C*3C + C*C + 2*C*4C) per layer, attention
    // 2 * 2*B*H*T*T*d per layer, head 2*N*C*V; the backward pass twice the forward.
    long n = (long) batch * time;
    long w = c.nEmbd();
    double fwdFlop = c.nLayer() * (2.0 * n * (3 * w * w + w * w + 8 * w * w) + 4.0 * batch * c.nHead() * time * time
        * c.headSize()) + 2.0 * n * w * c.vocabSize();
    out.printf("GptKernel step (loss + gradients, no optimizer), reference GPT, batch %d x %d; ND4J threads %d"
        + " (OMP_NUM_THREADS=%s); load average %.2f; least-CPU of %d rounds of %d steps%n",
        batch, time, Nd4j.getEnvironment().maxThreads(), System.getenv("OMP_NUM_THREADS"), os.getSystemLoadAverage(),
        rounds, steps);
    out.printf("| per step, ms (full-square FLOPs %.2f GFLOP) | ms |%n|---|---|%n",
        3 * fwdFlop / 1e9);
    row(out, "wall", best, v -> v[0]);
    row(out, "process CPU", best, v -> v[1]);
    row(out, "BLAS products", best, v -> v[2]);
    row(out, "BLAS calls", best, v -> v[3] * 1e6);
    row(out, "everything else (Java loops, JNI)", best, v -> v[1] - v[2]);
    for (GptKernel.Phase p : phases) {
      row(out, "phase " + p + ", fwd + bwd (products included)", best, v -> v[4 + p.ordinal()]);
    }
    row(out, "of ATTENTION: per-head products", best, v -> v[4 + phases.length]);
  }

  private static void row(PrintStream out, String name, double[] best,
      java.util.function.ToDoubleFunction<double[]> ns) {
    out.printf("| %s | %.1f |%n", name, ns.applyAsDouble(best) / 1e6);
  }

  private static double[] counters(GptKernel k, GptKernel.Phase[] phases) {
    double[] v = new double[5 + phases.length];
    v[2] = k.gemmNanos();
    v[3] = k.gemmCalls();
    for (GptKernel.Phase p : phases) v[4 + p.ordinal()] = k.phaseNanos(p);
    v[4 + phases.length] = k.attentionGemmNanos();
    return v;
  }

  static Batch randomBatch(Random r, GptConfig c, int batch, int time) {
    int[][] x = new int[batch][time];
    int[][] y = new int[batch][time];
    for (int i = 0; i < batch; i++) {
      for (int t = 0; t < time; t++) {
        x[i][t] = r.nextInt(c.vocabSize());
        y[i][t] = r.nextInt(c.vocabSize());
      }
    }
    return new Batch(java.util.Map.of("x", Nd4j.createFromArray(x), "y", Nd4j.createFromArray(y)), batch,
        (long) batch * time);
  }
}
