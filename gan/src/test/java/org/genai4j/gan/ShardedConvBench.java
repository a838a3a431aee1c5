package org.genai4j.gan;

import java.util.function.IntConsumer;
import org.genai4j.common.nn.DirectConv;
import org.genai4j.common.util.Shards;
import org.genai4j.common.util.Threads;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Measurement helper (not a test): does a convolution call of the reference DCGAN step run faster
 * as two concurrent half-batch calls on two Java threads ({@link Shards#run}, one OpenMP thread
 * each) than as one whole-batch call? Prints wall ms of both and the ratio, per call, and checks
 * the halves give the whole call's result.
 */
public final class ShardedConvBench {
  private static int SHARDS = 2;

  /** One convolution call over batch rows [from, to) of its operands, by a shard's own DirectConv. */
  interface Call {
    void run(DirectConv conv, int shard, int from, int to);
  }

  private static final java.lang.management.ThreadMXBean T = java.lang.management.ManagementFactory.getThreadMXBean();
  private static final java.util.concurrent.atomic.AtomicLong CPU = new java.util.concurrent.atomic.AtomicLong();

  /** Wall ms per repetition; adds the shards' summed thread CPU ms per repetition to cpu[0]. */
  static double wall(IntConsumer perShard, int shards, int reps, double[] cpu) {
    IntConsumer counted = s -> {
      long c0 = T.getCurrentThreadCpuTime();
      perShard.accept(s);
      CPU.addAndGet(T.getCurrentThreadCpuTime() - c0);
    };
    for (int i = 0; i < 3; i++) {
      Shards.run(shards, counted);
    }
    CPU.set(0);
    long t0 = System.nanoTime();
    for (int i = 0; i < reps; i++) {
      Shards.run(shards, counted);
    }
    cpu[0] += CPU.get() / 1e6 / reps;
    return (System.nanoTime() - t0) / 1e6 / reps;
  }

  static void compare(String name, int rows, Call call) {
    DirectConv[] convs = new DirectConv[Math.max(2, SHARDS)];
    for (int s = 0; s < SHARDS; s++) {
      convs[s] = new DirectConv(4, 2, 1);
    }
    int[] b = Shards.bounds(rows, SHARDS);
    int reps = 12;
    double[] cpuOne = {0};
    double[] cpuTwo = {0};
    double one = wall(s -> call.run(convs[0], 0, 0, rows), 1, reps, cpuOne);
    double two = wall(s -> call.run(convs[s], s, b[s], b[s + 1]), SHARDS, reps, cpuTwo);
    double oneAgain = wall(s -> call.run(convs[0], 0, 0, rows), 1, reps, cpuOne);
    double twoAgain = wall(s -> call.run(convs[s], s, b[s], b[s + 1]), SHARDS, reps, cpuTwo);
    double o = (one + oneAgain) / 2;
    double t = (two + twoAgain) / 2;
    System.out.printf("%-36s 1 call %6.2f ms (CPU %6.2f)  %d shards %6.2f ms (CPU sum %6.2f)  speed-up %.2fx  CPU ratio %.2f%n",
        name, o, cpuOne[0] / 2, SHARDS, t, cpuTwo[0] / 2, o / t, cpuTwo[0] / cpuOne[0]);
  }

  static INDArray r(long... shape) {
    return Nd4j.randn(DataType.FLOAT, shape);
  }

  static INDArray rows(INDArray a, int from, int to) {
    return a.get(NDArrayIndex.interval(from, to));
  }

  public static void main(String[] args) {
    Threads.set(1);
    if (args.length > 0) {
      SHARDS = Integer.parseInt(args[0]);
    }
    System.out.println("machine: " + Threads.machine());
    int n = 64;
    int m = 2 * n;
    // Correctness of half-batch views as operands and outputs: the halves must give the whole call's result.
    {
      DirectConv c = new DirectConv(4, 2, 1);
      INDArray x = r(m, 64, 14, 14), w = r(4, 4, 64, 128), whole = Nd4j.create(DataType.FLOAT, m, 128, 7, 7);
      INDArray halves = Nd4j.create(DataType.FLOAT, m, 128, 7, 7);
      c.conv2d(x, w, null, whole);
      int[] b = Shards.bounds(m, SHARDS);
      DirectConv[] convs = new DirectConv[SHARDS];
      for (int s = 0; s < SHARDS; s++) {
        convs[s] = new DirectConv(4, 2, 1);
      }
      Shards.run(SHARDS, s -> convs[s].conv2d(rows(x, b[s], b[s + 1]), w, null, rows(halves, b[s], b[s + 1])));
      System.out.println("views: max |whole - halves| = " + whole.sub(halves).amaxNumber());
    }
    INDArray x1 = r(m, 1, 28, 28), w1 = r(4, 4, 1, 64), b1 = r(64), c1 = r(m, 64, 14, 14);
    INDArray w2 = r(4, 4, 64, 128), c2 = r(m, 128, 7, 7), g1 = r(m, 64, 14, 14);
    INDArray[] gw2 = new INDArray[SHARDS];
    INDArray[] gw1 = new INDArray[SHARDS];
    INDArray[] du1 = new INDArray[SHARDS];
    for (int s = 0; s < SHARDS; s++) {
      gw2[s] = r(4, 4, 64, 128);
      gw1[s] = r(4, 4, 1, 64);
      du1[s] = r(4, 4, 64, 128);
    }
    compare("D conv1 fwd m=128", m, (c, s, f, t) -> c.conv2d(rows(x1, f, t), w1, b1, rows(c1, f, t)));
    compare("D conv2 fwd m=128", m, (c, s, f, t) -> c.conv2d(rows(c1, f, t), w2, null, rows(c2, f, t)));
    compare("D conv2 bp (dX + dW) m=128", m,
        (c, s, f, t) -> c.conv2dBackprop(rows(c1, f, t), w2, null, rows(c2, f, t), rows(g1, f, t), gw2[s], null));
    compare("D conv2 input grad m=64", n, (c, s, f, t) -> c.conv2dInputGradient(w2, rows(c2, f, t), rows(g1, f, t)));
    compare("D conv1 weight grad (im2col) m=128", m,
        (c, s, f, t) -> c.conv2dWeightGradient(rows(x1, f, t).dup(), rows(c1, f, t).dup(), gw1[s]));
    INDArray a0 = r(n, 128, 7, 7), u1 = r(4, 4, 64, 128), h1 = r(n, 64, 14, 14);
    INDArray u2 = r(4, 4, 1, 64), b2 = r(1), out = r(n, 1, 28, 28), da0 = r(n, 128, 7, 7), dh1 = r(n, 64, 14, 14);
    compare("G deconv1 fwd", n, (c, s, f, t) -> c.deconv2d(rows(a0, f, t), u1, null, rows(h1, f, t)));
    compare("G deconv2 fwd", n, (c, s, f, t) -> c.deconv2d(rows(h1, f, t), u2, b2, rows(out, f, t)));
    compare("G deconv2 input grad (conv)", n, (c, s, f, t) -> c.conv2d(rows(out, f, t), u2, null, rows(dh1, f, t)));
    compare("G deconv1 bp", n,
        (c, s, f, t) -> c.deconv2dBackprop(rows(a0, f, t), u1, null, rows(h1, f, t), rows(da0, f, t), du1[s], null));
    System.out.println("load " + Threads.loadAverage());
  }
}
