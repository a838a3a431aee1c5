package org.genai4j.gan;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.genai4j.common.nn.DirectConv;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Measurement helper (not a test): thread CPU ms of each convolution call of the reference DCGAN step. */
public final class ConvOpBench {
  static final ThreadMXBean T = ManagementFactory.getThreadMXBean();

  static void time(String name, Runnable r) {
    for (int i = 0; i < 3; i++) {
      r.run();
    }
    int reps = 10;
    long c0 = T.getCurrentThreadCpuTime();
    long t0 = System.nanoTime();
    for (int i = 0; i < reps; i++) {
      r.run();
    }
    System.out.printf("%-52s cpu %7.2f ms  wall %7.2f ms%n", name, (T.getCurrentThreadCpuTime() - c0) / 1e6 / reps,
        (System.nanoTime() - t0) / 1e6 / reps);
  }

  static INDArray r(long... shape) {
    return Nd4j.randn(DataType.FLOAT, shape);
  }

  public static void main(String[] args) {
    DirectConv c = new DirectConv(4, 2, 1);
    int n = 64;
    for (int m : new int[] {n, 2 * n}) {
      INDArray x1 = r(m, 1, 28, 28), w1 = r(4, 4, 1, 64), b1 = r(64), c1 = r(m, 64, 14, 14);
      INDArray w2 = r(4, 4, 64, 128), c2 = r(m, 128, 7, 7);
      time("D conv1 fwd m=" + m, () -> c.conv2d(x1, w1, b1, c1));
      time("D conv2 fwd m=" + m, () -> c.conv2d(c1, w2, null, c2));
      INDArray g1 = r(m, 64, 14, 14), gw2 = r(4, 4, 64, 128), gx1 = r(m, 1, 28, 28), gw1 = r(4, 4, 1, 64), gb1 = r(64);
      time("D conv2 bp (dX + dW) m=" + m, () -> c.conv2dBackprop(c1, w2, null, c2, g1, gw2, null));
      time("D conv2 input grad (deconv) m=" + m, () -> c.conv2dInputGradient(w2, c2, g1));
      time("D conv1 bp (dX + dW + db) m=" + m, () -> c.conv2dBackprop(x1, w1, b1, c1, gx1, gw1, gb1));
      time("D conv1 input grad (deconv) m=" + m, () -> c.conv2dInputGradient(w1, c1, gx1));
      time("D conv1 weight grad (im2col gemm) m=" + m, () -> c.conv2dWeightGradient(x1, c1, gw1));
    }
    INDArray a0 = r(n, 128, 7, 7), u1 = r(4, 4, 64, 128), h1 = r(n, 64, 14, 14);
    INDArray u2 = r(4, 4, 1, 64), b2 = r(1), out = r(n, 1, 28, 28);
    time("G deconv1 fwd", () -> c.deconv2d(a0, u1, null, h1));
    time("G deconv2 fwd", () -> c.deconv2d(h1, u2, b2, out));
    INDArray da0 = r(n, 128, 7, 7), du1 = r(4, 4, 64, 128), dh1 = r(n, 64, 14, 14), du2 = r(4, 4, 1, 64), db2 = r(1);
    time("G deconv2 bp", () -> c.deconv2dBackprop(h1, u2, b2, out, dh1, du2, db2));
    time("G deconv2 input grad (conv)", () -> c.conv2d(out, u2, null, dh1));
    time("G deconv2 weight grad (im2col gemm)", () -> c.conv2dWeightGradient(out, h1, du2));
    time("G deconv1 bp", () -> c.deconv2dBackprop(a0, u1, null, h1, da0, du1, null));
    INDArray z = r(n, 100), wp = r(100, 6272), hp = r(n, 6272), dwp = r(100, 6272);
    time("G project gemm", () -> Nd4j.gemm(z, wp, hp, false, false, 1.0, 0.0));
    time("G project dW gemm", () -> Nd4j.gemm(z, hp, dwp, true, false, 1.0, 0.0));
    System.out.println("load " + org.genai4j.common.util.Threads.loadAverage());
  }
}
