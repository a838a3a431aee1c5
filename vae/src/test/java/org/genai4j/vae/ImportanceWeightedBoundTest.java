package org.genai4j.vae;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A linear-Gaussian VAE (no hidden layers, fixed output noise) defines p(x) = N(b, W^T W + s^2 I)
 * exactly. On data drawn from it, the importance-weighted bound must stay below the exact log p(x)
 * on average and approach it as k grows.
 */
class ImportanceWeightedBoundTest {

  static final int D = 4;
  static final int L = 2;
  static final double S = 0.5;

  @Test
  void boundApproachesExactLogLikelihood() {
    VaeConfig config = new VaeConfig(VaeConfig.Arch.MLP, 1, 2, 2, List.of(), L,
        VaeConfig.Likelihood.GAUSSIAN_FIXED, S, 1, 0);
    Vae vae = new Vae(config, 3, DataType.DOUBLE);
    INDArray w = vae.sameDiff().getArrForVarName("dec/out/w"); // [L, D]
    INDArray b = vae.sameDiff().getArrForVarName("dec/out/b"); // [D]
    Random rng = new Random(9);
    for (int i = 0; i < w.length(); i++) {
      w.putScalar(i, rng.nextGaussian());
    }
    for (int i = 0; i < b.length(); i++) {
      b.putScalar(i, rng.nextGaussian());
    }
    int n = 40;
    INDArray x = Nd4j.create(DataType.DOUBLE, n, D);
    for (int i = 0; i < n; i++) {
      double[] z = {rng.nextGaussian(), rng.nextGaussian()};
      for (int d = 0; d < D; d++) {
        double v = b.getDouble(d) + S * rng.nextGaussian();
        for (int j = 0; j < L; j++) {
          v += z[j] * w.getDouble(j, d);
        }
        x.putScalar(i, d, v);
      }
    }
    double exact = mean(exactLogLikelihood(x, w, b));
    int[] ks = {1, 10, 100, 2000};
    double[] gaps = new double[ks.length];
    for (int i = 0; i < ks.length; i++) {
      double bound = mean(VaeEvaluation.importanceWeightedBound(vae, x, ks[i], 100 + i));
      gaps[i] = exact - bound;
    }
    String msg = "exact " + exact + " gaps " + java.util.Arrays.toString(gaps);
    assertTrue(gaps[0] > 0.2, "the untrained encoder should leave a clear ELBO gap: " + msg);
    for (int i = 1; i < ks.length; i++) {
      assertTrue(gaps[i] < gaps[i - 1], "the bound must tighten as k grows: " + msg);
    }
    assertTrue(gaps[ks.length - 1] > -0.02, "the bound must not exceed log p(x) on average: " + msg);
    assertTrue(gaps[ks.length - 1] < 0.1 * gaps[0], "k=2000 should close most of the gap: " + msg);
    // The ELBO from the graph equals the k = 1 bound in expectation: check the evaluation path.
    double negElbo = VaeEvaluation.evaluate(vae, x, 0, 1).negElbo();
    assertTrue(-negElbo < exact, "ELBO must be below log p(x): " + (-negElbo) + " vs " + exact);
  }

  /** log N(x_i; b, W^T W + S^2 I) by Cholesky, in doubles. */
  static double[] exactLogLikelihood(INDArray x, INDArray w, INDArray b) {
    double[][] cov = new double[D][D];
    for (int p = 0; p < D; p++) {
      for (int q = 0; q < D; q++) {
        double v = p == q ? S * S : 0;
        for (int j = 0; j < L; j++) {
          v += w.getDouble(j, p) * w.getDouble(j, q);
        }
        cov[p][q] = v;
      }
    }
    double[][] c = new double[D][D];
    for (int i = 0; i < D; i++) {
      for (int j = 0; j <= i; j++) {
        double s = cov[i][j];
        for (int k = 0; k < j; k++) {
          s -= c[i][k] * c[j][k];
        }
        c[i][j] = i == j ? Math.sqrt(s) : s / c[j][j];
      }
    }
    double logDet = 0;
    for (int i = 0; i < D; i++) {
      logDet += 2 * Math.log(c[i][i]);
    }
    double[] out = new double[(int) x.size(0)];
    for (int r = 0; r < out.length; r++) {
      double[] y = new double[D];
      for (int i = 0; i < D; i++) {
        double s = x.getDouble(r, i) - b.getDouble(i);
        for (int k = 0; k < i; k++) {
          s -= c[i][k] * y[k];
        }
        y[i] = s / c[i][i];
      }
      double quad = 0;
      for (double v : y) {
        quad += v * v;
      }
      out[r] = -0.5 * (D * Math.log(2 * Math.PI) + logDet + quad);
    }
    return out;
  }

  static double mean(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return s / v.length;
  }
}
