package org.genai4j.vae;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.Map;
import org.genai4j.common.train.Batch;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Measurement helper: CPU time of the hand-written step and of its matmuls (1 thread). */
public final class FastStepProfile {
  private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

  public static void main(String[] args) {
    org.genai4j.common.util.Threads.set(1);
    int n = 30;
    Vae vae = Vae.create(VaeConfig.mlp(1, 28, 28, List.of(512), 20), 1);
    Batch b = Batch.of(Map.of("x", Nd4j.rand(DataType.FLOAT, 128, 784).gt(0.5).castTo(DataType.FLOAT)), 128);
    FastMlpVaeGroup g = (FastMlpVaeGroup) vae.parameterGroups().get(0);
    time("fast computeGradients", n, () -> g.computeGradients(b));
    for (boolean fast : new boolean[] {true, false}) {
      Vae v2 = Vae.create(VaeConfig.mlp(1, 28, 28, List.of(512), 20), 1);
      v2.useFastStep(fast);
      INDArray data = Nd4j.rand(DataType.FLOAT, 128 * 16, 784).gt(0.5).castTo(DataType.FLOAT);
      org.genai4j.common.train.Trainer tr = new org.genai4j.common.train.Trainer(v2,
          org.genai4j.common.train.OptimizerConfig.adam(org.genai4j.common.train.LrSchedule.constant(1e-3), 0.9, 0.999),
          org.genai4j.common.train.TrainerConfig.of(n, 4));
      long c0 = MX.getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      tr.fit(new EpochBatches(data, 128, 3));
      System.out.printf("trainer fast=%s: %.2f ms CPU %.2f ms wall per step%n", fast,
          (MX.getCurrentThreadCpuTime() - c0) / 1e6 / n, (System.nanoTime() - t0) / 1e6 / n);
    }
    INDArray x = Nd4j.rand(DataType.FLOAT, 128, 784);
    INDArray w = Nd4j.rand(DataType.FLOAT, 784, 512);
    INDArray h = Nd4j.create(DataType.FLOAT, 128, 512);
    INDArray dw = Nd4j.create(DataType.FLOAT, 784, 512);
    INDArray dx = Nd4j.create(DataType.FLOAT, 128, 784);
    time("gemm x@W", n, () -> Nd4j.gemm(x, w, h, false, false, 1.0, 0.0));
    time("gemm x^T@h (dW)", n, () -> Nd4j.gemm(x, h, dw, true, false, 1.0, 0.0));
    time("gemm h@W^T (dx)", n, () -> Nd4j.gemm(h, w, dx, false, true, 1.0, 0.0));
    time("mmul x@W alloc", n, () -> x.mmul(w));
    time("sigmoid 128x784", n, () -> org.nd4j.linalg.ops.transforms.Transforms.sigmoid(dx, false));
  }

  private static void time(String what, int n, Runnable r) {
    for (int i = 0; i < 3; i++) r.run();
    long c0 = MX.getCurrentThreadCpuTime();
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) r.run();
    System.out.printf("%-24s %8.3f ms CPU %8.3f ms wall%n", what, (MX.getCurrentThreadCpuTime() - c0) / 1e6 / n,
        (System.nanoTime() - t0) / 1e6 / n);
  }
}
