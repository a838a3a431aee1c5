package org.genai4j.gan;

import java.util.Random;
import org.genai4j.common.nn.FusedBatchNorm;

/** Measurement helper (not a test): FusedBatchNorm forward/backward on D's second layer shape. */
public final class FusedBnBench {
  public static void main(String[] args) {
    int n = 64, ch = 128, sp = 49;
    int len = n * ch * sp;
    Random r = new Random(1);
    float[] x = new float[len], xhat = new float[len], y = new float[len], dy = new float[len], dx = new float[len];
    for (int i = 0; i < len; i++) { x[i] = (float) r.nextGaussian(); dy[i] = (float) r.nextGaussian(); }
    float[] gamma = new float[ch], beta = new float[ch], is = new float[ch], dg = new float[ch], db = new float[ch];
    java.util.Arrays.fill(gamma, 1f);
    double[] mean = new double[ch], var = new double[ch];
    for (int rep = 0; rep < 5; rep++) {
      long t0 = System.nanoTime();
      for (int k = 0; k < 20; k++) {
        FusedBatchNorm.forward(x, 0, n, ch, sp, gamma, beta, 1e-5, 0.2f, xhat, y, mean, var, is);
      }
      long t1 = System.nanoTime();
      for (int k = 0; k < 20; k++) {
        FusedBatchNorm.backward(dy, y, xhat, 0, n, ch, sp, gamma, is, 0.2f, dx, dg, db);
      }
      long t2 = System.nanoTime();
      System.out.printf("%d elements: forward %.2f ms, backward %.2f ms%n", len, (t1 - t0) / 20e6, (t2 - t1) / 20e6);
    }
  }
}
