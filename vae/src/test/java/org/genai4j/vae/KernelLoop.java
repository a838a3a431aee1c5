package org.genai4j.vae;

import java.util.List;
import java.util.Map;
import org.genai4j.common.train.Batch;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** Measurement helper: CPU time of the hand-written computeGradients alone (1 thread). */
public final class KernelLoop {
  public static void main(String[] args) {
    org.genai4j.common.util.Threads.set(1);
    var mx = java.lang.management.ManagementFactory.getThreadMXBean();
    Vae vae = Vae.create(VaeConfig.mlp(1, 28, 28, List.of(512), 20), 1);
    Batch b = Batch.of(Map.of("x", Nd4j.rand(DataType.FLOAT, 128, 784).gt(0.5).castTo(DataType.FLOAT)), 128);
    var g = vae.parameterGroups().get(0);
    for (int i = 0; i < 100; i++) g.computeGradients(b);
    int n = Integer.parseInt(args[0]);
    long c0 = mx.getCurrentThreadCpuTime();
    for (int i = 0; i < n; i++) g.computeGradients(b);
    System.out.printf("computeGradients %.2f ms CPU%n", (mx.getCurrentThreadCpuTime() - c0) / 1e6 / n);
  }
}
