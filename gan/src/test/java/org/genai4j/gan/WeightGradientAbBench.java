package org.genai4j.gan;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.genai4j.common.nn.DirectConv;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Measurement helper (not a test): the image-side weight gradient (D's first conv at 2N = 128
 * images) now vs main's version ({@link BaselineDirectConv}) and vs conv2d_bp, alternating;
 * thread-CPU medians in ms, and the largest difference between the results.
 */
public final class WeightGradientAbBench {
  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 128;
    INDArray x = Nd4j.rand(DataType.FLOAT, n, 1, 28, 28);
    INDArray grad = Nd4j.randn(DataType.FLOAT, n, 64, 14, 14);
    INDArray w = Nd4j.randn(DataType.FLOAT, 4, 4, 1, 64);
    INDArray[] dW = {Nd4j.create(DataType.FLOAT, 4, 4, 1, 64), Nd4j.create(DataType.FLOAT, 4, 4, 1, 64),
        Nd4j.create(DataType.FLOAT, 4, 4, 1, 64)};
    INDArray dX = Nd4j.create(DataType.FLOAT, n, 1, 28, 28);
    DirectConv now = new DirectConv(4, 2, 1);
    BaselineDirectConv old = new BaselineDirectConv(4, 2, 1);
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    double[][] ms = new double[3][rounds];
    for (int r = -3; r < rounds; r++) {
      for (int k = 0; k < 3; k++) {
        long c0 = threads.getCurrentThreadCpuTime();
        if (k == 0) {
          old.conv2dWeightGradient(x, grad, dW[0]);
        } else if (k == 1) {
          now.conv2dWeightGradient(x, grad, dW[1]);
        } else {
          now.conv2dBackprop(x, w, null, grad, dX, dW[2], null);
        }
        if (r >= 0) {
          ms[k][r] = (threads.getCurrentThreadCpuTime() - c0) / 1e6;
        }
      }
    }
    System.out.printf("weight gradient [%d,1,28,28] -> 64 ch: main %.2f ms, now %.2f ms, conv2d_bp %.2f ms (medians);"
        + " max |now - main| %.2e, max |now - bp| %.2e%n", n, median(ms[0]), median(ms[1]), median(ms[2]),
        dW[1].sub(dW[0]).amaxNumber().doubleValue(), dW[1].sub(dW[2]).amaxNumber().doubleValue());
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    java.util.Arrays.sort(s);
    return s[s.length / 2];
  }
}
