package org.genai4j.vae;

import java.util.List;
import java.util.Map;
import org.genai4j.common.train.Batch;
import org.genai4j.common.train.Gradients;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Measurement helper: times the pieces of one training step. */
public final class ProfileRun {
  public static void main(String[] args) {
    int side = Integer.parseInt(args.length > 1 ? args[1] : "28");
    int hid = Integer.parseInt(args.length > 2 ? args[2] : "512");
    Vae vae = Vae.create(VaeConfig.mlp(1, side, side, List.of(hid), 20), 1);
    INDArray x = Nd4j.rand(DataType.FLOAT, 128, side * side);
    Batch b = Batch.of(Map.of("x", x), 128);
    for (int i = 0; i < 5; i++) vae.group().computeGradients(b);
    int n = Integer.parseInt(args.length > 0 ? args[0] : "20");
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    long c0 = mx.getCurrentThreadCpuTime();
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) vae.group().computeGradients(b);
    long t1 = System.nanoTime();
    long c1 = mx.getCurrentThreadCpuTime();
    System.out.printf("computeGradients: %.2f ms wall, %.2f ms CPU of this thread%n", (t1 - t0) / 1e6 / n, (c1 - c0) / 1e6 / n);
    t0 = System.nanoTime();
    for (int i = 0; i < n; i++) vae.sameDiff().output(vae.group().placeholders(b), VaeGraph.LOSS);
    t1 = System.nanoTime();
    System.out.printf("forward loss: %.2f ms%n", (t1 - t0) / 1e6 / n);
    Map<String, long[]> times = new java.util.TreeMap<>();
    long[] start = new long[1];
    vae.sameDiff().setListeners(new org.nd4j.autodiff.listeners.BaseListener() {
      @Override public boolean isActive(org.nd4j.autodiff.listeners.Operation op) { return true; }
      @Override public void preOpExecution(org.nd4j.autodiff.samediff.SameDiff sd, org.nd4j.autodiff.listeners.At at,
          org.nd4j.autodiff.samediff.internal.SameDiffOp op, org.nd4j.linalg.api.ops.OpContext ctx) {
        start[0] = System.nanoTime();
      }
      @Override public void opExecution(org.nd4j.autodiff.samediff.SameDiff sd, org.nd4j.autodiff.listeners.At at,
          org.nd4j.linalg.dataset.api.MultiDataSet batch, org.nd4j.autodiff.samediff.internal.SameDiffOp op,
          org.nd4j.linalg.api.ops.OpContext ctx, INDArray[] outputs) {
        long[] t = times.computeIfAbsent(op.getOp().opName() + " " + op.getName(), k -> new long[2]);
        t[0] += System.nanoTime() - start[0];
        t[1]++;
      }
    });
    long tl0 = System.nanoTime();
    for (int i = 0; i < n; i++) vae.group().computeGradients(b);
    long tl1 = System.nanoTime();
    long total = 0;
    for (var e : times.entrySet()) total += e.getValue()[0];
    System.out.printf("with listener: %.2f ms/step, ops sum %.2f ms/step%n", (tl1 - tl0) / 1e6 / n, total / 1e6 / n);
    times.entrySet().stream().sorted((a, c) -> Long.compare(c.getValue()[0], a.getValue()[0])).limit(25)
        .forEach(e -> System.out.printf("%8.3f ms  %s%n", e.getValue()[0] / 1e6 / n, e.getKey()));
    INDArray w = Nd4j.rand(DataType.FLOAT, 784, 512);
    c0 = mx.getCurrentThreadCpuTime();
    t0 = System.nanoTime();
    for (int i = 0; i < n; i++) x.mmul(w);
    t1 = System.nanoTime();
    c1 = mx.getCurrentThreadCpuTime();
    System.out.printf("mmul 128x784x512: %.2f ms wall, %.2f ms CPU%n", (t1 - t0) / 1e6 / n, (c1 - c0) / 1e6 / n);
  }
}
