package org.genai4j.common.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.genai4j.common.eval.FrechetDistance.Stats;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class FrechetDistanceTest {

  private static double[][] randomRotation(int d, long seed) {
    // Q from Gram-Schmidt on a random matrix.
    Random r = new Random(seed);
    double[][] q = new double[d][d];
    for (int j = 0; j < d; j++) {
      double[] v = new double[d];
      for (int i = 0; i < d; i++) {
        v[i] = r.nextGaussian();
      }
      for (int k = 0; k < j; k++) {
        double dot = 0;
        for (int i = 0; i < d; i++) {
          dot += v[i] * q[i][k];
        }
        for (int i = 0; i < d; i++) {
          v[i] -= dot * q[i][k];
        }
      }
      double norm = 0;
      for (double x : v) {
        norm += x * x;
      }
      for (int i = 0; i < d; i++) {
        q[i][j] = v[i] / Math.sqrt(norm);
      }
    }
    return q;
  }

  /** Q diag(ev) Q^T. */
  private static double[][] withEigenvalues(double[][] q, double[] ev) {
    int d = ev.length;
    double[][] s = new double[d][d];
    for (int i = 0; i < d; i++) {
      for (int j = 0; j < d; j++) {
        for (int k = 0; k < d; k++) {
          s[i][j] += q[i][k] * ev[k] * q[j][k];
        }
      }
    }
    return s;
  }

  private static double[][] diag(double[] ev) {
    double[][] s = new double[ev.length][ev.length];
    for (int i = 0; i < ev.length; i++) {
      s[i][i] = ev[i];
    }
    return s;
  }

  /** Closed form for commuting covariances with eigenvalues d1, d2 on the same eigenvectors. */
  private static double closedForm(double[] mu1, double[] mu2, double[] d1, double[] d2) {
    double fd = 0;
    for (int i = 0; i < mu1.length; i++) {
      fd += (mu1[i] - mu2[i]) * (mu1[i] - mu2[i]);
      fd += d1[i] + d2[i] - 2 * Math.sqrt(d1[i] * d2[i]);
    }
    return fd;
  }

  @Test
  void identicalSetsAreAtDistanceZero() {
    INDArray x = Nd4j.randn(DataType.FLOAT, 300, 16).muli(3).addi(1);
    assertEquals(0, FrechetDistance.between(x, x.dup()), 1e-8);
  }

  @Test
  void diagonalGaussiansMatchClosedForm() {
    double[] mu1 = {0, 1, -2, 0.5};
    double[] mu2 = {1, 1, 0, -0.5};
    double[] d1 = {1, 4, 0.25, 2};
    double[] d2 = {2, 1, 0.25, 9};
    double fd = FrechetDistance.between(new Stats(mu1, diag(d1), 100), new Stats(mu2, diag(d2), 100));
    assertEquals(closedForm(mu1, mu2, d1, d2), fd, 1e-10);
  }

  @Test
  void fullCommutingCovariancesMatchClosedForm() {
    int d = 12;
    double[][] q = randomRotation(d, 3);
    Random r = new Random(5);
    double[] mu1 = new double[d], mu2 = new double[d], d1 = new double[d], d2 = new double[d];
    for (int i = 0; i < d; i++) {
      mu1[i] = r.nextGaussian();
      mu2[i] = r.nextGaussian();
      d1[i] = 0.1 + r.nextDouble() * 3;
      d2[i] = i == 0 ? 0 : 0.1 + r.nextDouble() * 3; // one zero eigenvalue: singular, still fine
    }
    double fd = FrechetDistance.between(
        new Stats(mu1, withEigenvalues(q, d1), 100), new Stats(mu2, withEigenvalues(q, d2), 100));
    assertEquals(closedForm(mu1, mu2, d1, d2), fd, 1e-9);
  }

  @Test
  void nonCommutingTwoByTwoMatchesTraceOfRootFormula() {
    // For 2x2 PSD M: tr sqrt(M) = sqrt(tr M + 2 sqrt(det M)); with M ~ S1 S2, tr M = tr(S1 S2), det M = det S1 det S2.
    double[][] s1 = {{2, 0.7}, {0.7, 1}};
    double[][] s2 = {{0.5, -0.2}, {-0.2, 3}};
    double trS1S2 = s1[0][0] * s2[0][0] + s1[0][1] * s2[1][0] + s1[1][0] * s2[0][1] + s1[1][1] * s2[1][1];
    double det = (s1[0][0] * s1[1][1] - s1[0][1] * s1[1][0]) * (s2[0][0] * s2[1][1] - s2[0][1] * s2[1][0]);
    double expected = 1 + 4 + (2 + 1 + 0.5 + 3) - 2 * Math.sqrt(trS1S2 + 2 * Math.sqrt(det));
    double fd = FrechetDistance.between(new Stats(new double[] {0, 0}, s1, 10), new Stats(new double[] {1, 2}, s2, 10));
    assertEquals(expected, fd, 1e-10);
  }

  @Test
  void sampledGaussiansApproachTheirClosedForm() {
    int d = 4, n = 40_000;
    double[][] q = randomRotation(d, 9);
    double[] d1 = {1, 2, 0.5, 1.5}, d2 = {3, 1, 1, 0.2};
    double[] mu1 = {0, 0, 0, 0}, mu2 = {1, -1, 0.5, 0};
    Nd4j.getRandom().setSeed(1);
    INDArray a = sample(q, d1, mu1, n), b = sample(q, d2, mu2, n);
    double expected = closedForm(mu1, mu2, d1, d2);
    double fd = FrechetDistance.between(a, b);
    assertEquals(expected, fd, 0.05 * expected, "sampled FD " + fd + " vs closed form " + expected);
  }

  /** n samples of N(mu, Q diag(ev) Q^T). */
  private static INDArray sample(double[][] q, double[] ev, double[] mu, int n) {
    int d = ev.length;
    double[][] scale = new double[d][d];
    for (int i = 0; i < d; i++) {
      for (int k = 0; k < d; k++) {
        scale[i][k] = q[i][k] * Math.sqrt(ev[k]);
      }
    }
    INDArray z = Nd4j.randn(DataType.DOUBLE, n, d);
    return z.mmul(Nd4j.createFromArray(scale).transpose()).addiRowVector(Nd4j.createFromArray(mu));
  }

  @Test
  void statsMatchDirectComputation() {
    INDArray x = Nd4j.createFromArray(new double[][] {{1, 2}, {3, 0}, {5, 4}});
    Stats s = Stats.of(x);
    assertEquals(3, s.mean()[0], 1e-12);
    assertEquals(2, s.mean()[1], 1e-12);
    assertEquals(4, s.covariance()[0][0], 1e-12); // ((−2)^2 + 0 + 2^2) / 2
    assertEquals(2, s.covariance()[0][1], 1e-12); // (−2*0 + 0*−2 + 2*2) / 2
    assertEquals(4, s.covariance()[1][1], 1e-12);
  }

  @Test
  void eigenDecompositionReconstructsTheMatrix() {
    double[][] q = randomRotation(7, 11);
    double[] ev = {5, 3, 3, 1, 0.5, 0, -1};
    double[][] a = withEigenvalues(q, ev);
    double[][] v = new double[7][7];
    double[] got = FrechetDistance.symmetricEigen(a, v);
    double[][] back = withEigenvalues(v, got);
    for (int i = 0; i < 7; i++) {
      for (int j = 0; j < 7; j++) {
        assertEquals(a[i][j], back[i][j], 1e-10);
      }
    }
    double[] sorted = got.clone();
    java.util.Arrays.sort(sorted);
    assertEquals(-1, sorted[0], 1e-10);
    assertEquals(5, sorted[6], 1e-10);
  }

  @Test
  void mismatchedWidthsAndTooFewSamplesAreClearErrors() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> FrechetDistance.between(Nd4j.rand(10, 4), Nd4j.rand(10, 5)));
    assertTrue(e.getMessage().contains("4 vs 5"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> FrechetDistance.between(Nd4j.rand(1, 4), Nd4j.rand(10, 4)));
    assertTrue(e.getMessage().contains("at least 2 samples") && e.getMessage().contains("got 1"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Stats.of(Nd4j.rand(2, 3, 4)));
    assertTrue(e.getMessage().contains("[samples, width]"), e.getMessage());
  }
}
