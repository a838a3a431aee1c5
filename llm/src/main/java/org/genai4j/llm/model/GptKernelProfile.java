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

  /** args: [iterations] (default 30, after 5 warmup steps). */
  public static void main(String[] args) {
    run(args.length > 0 ? Integer.parseInt(args[0]) : 30, System.out);
  }

  public static void run(int iters, PrintStream out) {
    GptConfig c = GptConfig.of(65, 4, 4, 128, 64);
    int batch = 12;
    int time = 64;
    GptModel m = new GptModel(c, batch, time, true, 1);
    ParameterGroup g = m.parameterGroups().get(0);
    GptKernel k = ((GptKernelGroup) g).kernel();
    Random r = new Random(1);
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long wall = 0;
    long cpu = 0;
    long gemm0 = 0;
    long calls0 = 0;
    long[] phase0 = new long[GptKernel.Phase.values().length];
    for (int i = 0; i < 5 + iters; i++) {
      if (i == 5) {
        gemm0 = k.gemmNanos();
        calls0 = k.gemmCalls();
        for (GptKernel.Phase p : GptKernel.Phase.values()) phase0[p.ordinal()] = k.phaseNanos(p);
      }
      Batch b = GptKernelProfile.randomBatch(r, c, batch, time);
      long t0 = System.nanoTime();
      long c0 = os.getProcessCpuTime();
      g.computeGradients(b);
      if (i >= 5) {
        wall += System.nanoTime() - t0;
        cpu += os.getProcessCpuTime() - c0;
      }
    }
    double gemmMs = (k.gemmNanos() - gemm0) / 1e6 / iters;
    double wallMs = wall / 1e6 / iters;
    // Matrix-product FLOPs of one step: forward 2*N*(C*3C + C*C + 2*C*4C) per layer + attention
    // 2 * 2*B*H*T*T*d per layer + head 2*N*C*V; backward twice that.
    long n = (long) batch * time;
    long w = c.nEmbd();
    double fwdFlop = c.nLayer() * (2.0 * n * (3 * w * w + w * w + 8 * w * w) + 4.0 * batch * c.nHead() * time * time
        * c.headSize()) + 2.0 * n * w * c.vocabSize();
    out.printf("GptKernel step, reference GPT, batch %d x %d; ND4J threads %d (OMP_NUM_THREADS=%s); load average %.2f%n",
        batch, time, Nd4j.getEnvironment().maxThreads(), System.getenv("OMP_NUM_THREADS"),
        os.getSystemLoadAverage());
    out.printf("| per step | ms |%n|---|---|%n");
    out.printf("| wall (computeGradients) | %.1f |%n", wallMs);
    out.printf("| process CPU | %.1f |%n", cpu / 1e6 / iters);
    out.printf("| BLAS products (%d calls) | %.1f (%.0f %% of wall; %.2f GFLOP -> %.1f GFLOP/s) |%n",
        (k.gemmCalls() - calls0) / iters, gemmMs, 100 * gemmMs / wallMs, 3 * fwdFlop / 1e9, 3 * fwdFlop / 1e6 / gemmMs);
    out.printf("| everything else (Java loops, JNI) | %.1f |%n", wallMs - gemmMs);
    for (GptKernel.Phase p : GptKernel.Phase.values()) {
      out.printf("| phase %s, forward + backward (products included) | %.1f |%n", p,
          (k.phaseNanos(p) - phase0[p.ordinal()]) / 1e6 / iters);
    }
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
