package org.genai4j.common.eval;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The Frechet distance between two Gaussians fitted to feature sets (rows are samples), the
 * measure behind FID: {@code |mu1 - mu2|^2 + tr(S1 + S2 - 2 (S1 S2)^(1/2))}. The matrix square
 * root is taken stably as {@code tr((S1^(1/2) S2 S1^(1/2))^(1/2))}, which has the same trace and
 * is symmetric positive semi-definite, through symmetric eigen-decompositions in double
 * precision (Jacobi rotations, so tiny negative eigenvalues from round-off are clamped, never
 * turned into NaN).
 */
public final class FrechetDistance {
  private FrechetDistance() {}

  /** The mean and (unbiased, N-1) covariance of a feature set. */
  public record Stats(double[] mean, double[][] covariance, long samples) {

    /** Fits the statistics of {@code features} ({@code [samples, width]}, at least 2 samples). */
    public static Stats of(INDArray features) {
      if (features == null || features.rank() != 2) {
        throw new IllegalArgumentException("features must be a [samples, width] matrix, got "
            + (features == null ? "null" : "shape " + Arrays.toString(features.shape())));
      }
      long n = features.rows();
      if (n < 2) {
        throw new IllegalArgumentException("need at least 2 samples to estimate a covariance, got " + n);
      }
      INDArray x = features.castTo(DataType.DOUBLE);
      INDArray mu = x.mean(0);
      INDArray centered = x.subRowVector(mu);
      INDArray cov = centered.transpose().mmul(centered).divi(n - 1);
      double[] mean = mu.toDoubleVector();
      for (double m : mean) {
        if (!Double.isFinite(m)) {
          throw new IllegalArgumentException("features contain NaN or infinite values");
        }
      }
      return new Stats(mean, cov.toDoubleMatrix(), n);
    }

    public int width() {
      return mean.length;
    }
  }

  /** The Frechet distance between the Gaussians fitted to two feature sets. */
  public static double between(INDArray a, INDArray b) {
    if (a != null && b != null && a.rank() == 2 && b.rank() == 2 && a.columns() != b.columns()) {
      throw new IllegalArgumentException("feature widths differ: " + a.columns() + " vs " + b.columns());
    }
    return between(Stats.of(a), Stats.of(b));
  }

  /** The Frechet distance between two Gaussians given by their statistics. */
  public static double between(Stats s1, Stats s2) {
    int d = s1.width();
    if (s2.width() != d) {
      throw new IllegalArgumentException("feature widths differ: " + d + " vs " + s2.width());
    }
    double meanTerm = 0;
    for (int i = 0; i < d; i++) {
      double diff = s1.mean()[i] - s2.mean()[i];
      meanTerm += diff * diff;
    }
    double traces = 0;
    for (int i = 0; i < d; i++) {
      traces += s1.covariance()[i][i] + s2.covariance()[i][i];
    }
    double[][] root1 = sqrtPsd(s1.covariance());
    double[][] m = multiply(multiply(root1, s2.covariance()), root1);
    double traceRoot = 0;
    for (double ev : symmetricEigen(m, null)) {
      traceRoot += Math.sqrt(Math.max(ev, 0));
    }
    return Math.max(0, meanTerm + traces - 2 * traceRoot);
  }

  /** The symmetric square root of a symmetric positive semi-definite matrix. */
  static double[][] sqrtPsd(double[][] a) {
    int n = a.length;
    double[][] v = new double[n][n];
    double[] ev = symmetricEigen(a, v);
    double[][] out = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = i; j < n; j++) {
        double s = 0;
        for (int k = 0; k < n; k++) {
          s += v[i][k] * Math.sqrt(Math.max(ev[k], 0)) * v[j][k];
        }
        out[i][j] = s;
        out[j][i] = s;
      }
    }
    return out;
  }

  static double[][] multiply(double[][] a, double[][] b) {
    int n = a.length, k = b.length, m = b[0].length;
    double[][] c = new double[n][m];
    for (int i = 0; i < n; i++) {
      for (int p = 0; p < k; p++) {
        double aip = a[i][p];
        if (aip == 0) {
          continue;
        }
        for (int j = 0; j < m; j++) {
          c[i][j] += aip * b[p][j];
        }
      }
    }
    return c;
  }

  /**
   * Eigenvalues of a symmetric matrix by cyclic Jacobi rotations (the input is symmetrized and not
   * modified). When {@code vectors} is given it receives the eigenvectors as columns.
   */
  static double[] symmetricEigen(double[][] input, double[][] vectors) {
    int n = input.length;
    double[][] a = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        a[i][j] = 0.5 * (input[i][j] + input[j][i]);
      }
    }
    double[][] v = vectors;
    if (v != null) {
      for (int i = 0; i < n; i++) {
        Arrays.fill(v[i], 0);
        v[i][i] = 1;
      }
    }
    for (int sweep = 0; sweep < 100; sweep++) {
      double off = 0, diag = 0;
      for (int i = 0; i < n; i++) {
        diag += a[i][i] * a[i][i];
        for (int j = i + 1; j < n; j++) {
          off += a[i][j] * a[i][j];
        }
      }
      if (off <= 1e-30 * Math.max(diag, 1e-300)) {
        break;
      }
      for (int p = 0; p < n; p++) {
        for (int q = p + 1; q < n; q++) {
          double apq = a[p][q];
          if (apq == 0) {
            continue;
          }
          double theta = (a[q][q] - a[p][p]) / (2 * apq);
          double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
          if (theta == 0) {
            t = 1;
          }
          double c = 1 / Math.sqrt(t * t + 1);
          double s = t * c;
          for (int k = 0; k < n; k++) {
            double akp = a[k][p], akq = a[k][q];
            a[k][p] = c * akp - s * akq;
            a[k][q] = s * akp + c * akq;
          }
          for (int k = 0; k < n; k++) {
            double apk = a[p][k], aqk = a[q][k];
            a[p][k] = c * apk - s * aqk;
            a[q][k] = s * apk + c * aqk;
          }
          if (v != null) {
            for (int k = 0; k < n; k++) {
              double vkp = v[k][p], vkq = v[k][q];
              v[k][p] = c * vkp - s * vkq;
              v[k][q] = s * vkp + c * vkq;
            }
          }
        }
      }
    }
    double[] ev = new double[n];
    for (int i = 0; i < n; i++) {
      ev[i] = a[i][i];
    }
    return ev;
  }
}
