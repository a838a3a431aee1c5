package org.genai4j.vae;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.genai4j.common.ops.Tensor;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A linear-Gaussian VAE (no hidden layers, fixed output noise) defines p(x) = N(b, W W^T + s^2 I)
 * exactly (W [D, L]). On data drawn from it, the importance-weighted bound must stay below the exact log p(x)
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
    Vae vae = Vae.create(config, 3);
    // The decoder is one linear layer, z -> W z + b with W [D, L].
    Tensor wt = vae.params().get("decoder.0.weight").value();
    Tensor bt = vae.params().get("decoder.0.bias").value();
    Random rng = new Random(9);
    for (int i = 0; i < wt.length(); i++) {
      wt.set(i, (float) rng.nextGaussian());
    }
    for (int i = 0; i < bt.length(); i++) {
      bt.set(i, (float) rng.nextGaussian());
    }
    double[] w = wt.toDoubles();
    double[] b = bt.toDoubles();
    int n = 40;
    INDArray x = Nd4j.create(DataType.FLOAT, n, D);
    for (int i = 0; i < n; i++) {
      double[] z = {rng.nextGaussian(), rng.nextGaussian()};
      for (int d = 0; d < D; d++) {
        double v = b[d] + S * rng.nextGaussian();
        for (int j = 0; j < L; j++) {
          v += w[d * L + j] * z[j];
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
    // The ELBO of the evaluation equals the k = 1 bound in expectation: it must lie below log p(x) too.
    double negElbo = VaeEvaluation.evaluate(vae, x, 0, 1).negElbo();
    assertTrue(-negElbo < exact, "ELBO must be below log p(x): " + (-negElbo) + " vs " + exact);
  }

  /** log N(x_i; b, W W^T + S^2 I) by Cholesky, in doubles; W is [D, L] row-major. */
  static double[] exactLogLikelihood(INDArray x, double[] w, double[] b) {
    double[][] cov = new double[D][D];
    for (int p = 0; p < D; p++) {
      for (int q = 0; q < D; q++) {
        double v = p == q ? S * S : 0;
        for (int j = 0; j < L; j++) {
          v += w[p * L + j] * w[q * L + j];
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
        double s = x.getDouble(r, i) - b[i];
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
