package org.genai4j.common.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The optimizer against updates written out by hand in plain Java (PyTorch's formulas). */
class OptimizerTest {

  private static final double[] P0 = {0.5, -1.25, 2.0, 0.1, -0.3, 0.75};
  private static final int STEPS = 6;

  /** A gradient that changes every step so the moments matter. */
  private static double[] grad(int step) {
    double[] g = new double[P0.length];
    for (int i = 0; i < g.length; i++) {
      g[i] = Math.sin(1.7 * i + 0.9 * step) * (i + 1) * 0.3;
    }
    return g;
  }

  private static double[] runOptimizer(OptimizerConfig oc) {
    INDArray p = Nd4j.createFromArray(P0).reshape(2, 3);
    Map<String, INDArray> params = new LinkedHashMap<>();
    params.put("w", p);
    Optimizer opt = new Optimizer(oc, params);
    for (int t = 0; t < STEPS; t++) {
      opt.step(params, Map.of("w", Nd4j.createFromArray(grad(t)).reshape(2, 3)), t);
    }
    return p.reshape(-1).toDoubleVector();
  }

  private static void assertClose(double[] expected, double[] actual, double relTol) {
    for (int i = 0; i < expected.length; i++) {
      double err = Math.abs(expected[i] - actual[i]) / Math.max(1e-12, Math.abs(expected[i] - P0[i]));
      assertTrue(err < relTol, "element " + i + ": expected " + expected[i] + " got " + actual[i]
          + " (relative error of the update " + err + ")");
    }
  }

  private static double[] referenceAdam(LrSchedule lr, double b1, double b2, double eps, double wd) {
    double[] p = P0.clone();
    double[] m = new double[p.length];
    double[] v = new double[p.length];
    for (int t = 0; t < STEPS; t++) {
      double[] g = grad(t);
      double a = lr.lr(t);
      for (int i = 0; i < p.length; i++) {
        p[i] -= a * wd * p[i];
        m[i] = b1 * m[i] + (1 - b1) * g[i];
        v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
        double mhat = m[i] / (1 - Math.pow(b1, t + 1));
        double vhat = v[i] / (1 - Math.pow(b2, t + 1));
        p[i] -= a * mhat / (Math.sqrt(vhat) + eps);
      }
    }
    return p;
  }

  @Test
  void adamMatchesHandWrittenUpdateWithBiasCorrection() {
    LrSchedule lr = LrSchedule.warmupCosine(0.1, 0.01, 2, 5);
    double[] expected = referenceAdam(lr, 0.9, 0.99, 1e-8, 0);
    // ND4J puts epsilon outside the bias correction (eps vs eps*sqrt(1-b2^t)): relative 1e-6 covers it,
    // an off-by-one in the bias correction step is off by tens of percent.
    assertClose(expected, runOptimizer(OptimizerConfig.adam(lr, 0.9, 0.99)), 1e-5);
  }

  @Test
  void adamWDecaysMatricesDecoupled() {
    LrSchedule lr = LrSchedule.constant(0.05);
    double[] expected = referenceAdam(lr, 0.9, 0.95, 1e-8, 0.1);
    assertClose(expected, runOptimizer(OptimizerConfig.adamW(lr, 0.9, 0.95, 0.1)), 1e-5);
  }

  @Test
  void adamWLeavesVectorsUndecayed() {
    INDArray bias = Nd4j.createFromArray(1.0, 2.0);
    Map<String, INDArray> params = Map.of("b", bias);
    Optimizer opt = new Optimizer(OptimizerConfig.adamW(LrSchedule.constant(0.1), 0.9, 0.95, 0.5), params);
    opt.step(params, Map.of("b", Nd4j.zeros(bias.dataType(), 2)), 0);
    assertEquals(Nd4j.createFromArray(1.0, 2.0), bias);
  }

  @Test
  void sgdAndMomentumMatchHandWrittenUpdate() {
    for (double mu : new double[] {0, 0.9}) {
      LrSchedule lr = LrSchedule.constant(0.2);
      double[] p = P0.clone();
      double[] buf = new double[p.length];
      for (int t = 0; t < STEPS; t++) {
        double[] g = grad(t);
        for (int i = 0; i < p.length; i++) {
          buf[i] = mu * buf[i] + g[i];
          p[i] -= lr.lr(t) * buf[i];
        }
      }
      assertClose(p, runOptimizer(OptimizerConfig.sgd(lr, mu)), 1e-12);
    }
  }

  /**
   * The fused Adam pass (dense c-order parameters) against ND4J's own updater (which the
   * optimizer takes for f-order parameters): same parameters and the same state arrays (so
   * checkpoints read either way), in FLOAT and DOUBLE, with weight decay, a clipping scale and
   * an f-order gradient; the gradients stay untouched; state saved and loaded continues exactly.
   */
  @Test
  void fusedAdamEqualsNd4jUpdaterAndLeavesGradientsAlone() {
    for (DataType t : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      OptimizerConfig oc = OptimizerConfig.adamW(LrSchedule.warmupCosine(0.05, 0.005, 2, 6), 0.9, 0.95, 0.1);
      Map<String, INDArray> fused = new LinkedHashMap<>();
      fused.put("w", Nd4j.rand(t, 4, 5).subi(0.5));
      fused.put("b", Nd4j.rand(t, 5).subi(0.5));
      Map<String, INDArray> reference = new LinkedHashMap<>();
      reference.put("w", fused.get("w").dup('f'));
      reference.put("b", fused.get("b").dup()); // a vector is dense either way: fused in both
      assertEquals('f', reference.get("w").ordering());
      Optimizer fusedOpt = new Optimizer(oc, fused);
      Optimizer referenceOpt = new Optimizer(oc, reference);
      for (int step = 0; step < STEPS; step++) {
        if (step == 3) {
          // A checkpoint round trip in the middle: save the state and load it into a fresh optimizer.
          Map<String, INDArray> saved = new LinkedHashMap<>();
          fusedOpt.state().forEach((k, v) -> saved.put(k, v.dup()));
          fusedOpt = new Optimizer(oc, fused);
          fusedOpt.loadState(saved);
        }
        Map<String, INDArray> g = new LinkedHashMap<>();
        g.put("w", Nd4j.randn(t, 4, 5));
        g.put("b", Nd4j.randn(t, 5));
        if (step == 4) {
          g.put("w", g.get("w").dup('f'));
        }
        Map<String, INDArray> gCopy = new LinkedHashMap<>();
        g.forEach((k, v) -> gCopy.put(k, v.dup()));
        double scale = step % 2 == 0 ? 1.0 : 0.7;
        fusedOpt.step(fused, g, step, scale);
        referenceOpt.step(reference, g, step, scale);
        assertEquals(gCopy, g, "the optimizer must not write into the gradients");
      }
      double tol = t == DataType.FLOAT ? 1e-6 : 1e-14;
      for (String k : fused.keySet()) {
        assertTrue(fused.get(k).equalsWithEps(reference.get(k), tol), t + " parameter " + k);
        assertTrue(fusedOpt.state().get(k).equalsWithEps(referenceOpt.state().get(k), tol), t + " state " + k);
      }
      assertTrue(fusedOpt.state().get("w").sumNumber().doubleValue() != 0);
    }
  }

  /** The norm the trainer reports without clipping comes from the optimizer's pass: the same value. */
  @Test
  void stepAndSumOfSquaresGivesTheGlobalNorm() {
    for (DataType t : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      for (OptimizerConfig oc : new OptimizerConfig[] {OptimizerConfig.adam(LrSchedule.constant(0.01), 0.9, 0.99),
          OptimizerConfig.sgd(LrSchedule.constant(0.01), 0.9)}) {
        Map<String, INDArray> params = new LinkedHashMap<>();
        params.put("w", Nd4j.rand(t, 37, 5));
        params.put("wf", Nd4j.rand(t, 3, 4).dup('f'));
        params.put("b", Nd4j.rand(t, 5));
        Map<String, INDArray> g = new LinkedHashMap<>();
        params.forEach((k, v) -> g.put(k, Nd4j.randn(t, v.shape())));
        double expected = GradientClipping.globalNorm(g);
        double got = Math.sqrt(new Optimizer(oc, params).stepAndSumOfSquares(params, g, 0));
        assertEquals(expected, got, 1e-6 * expected, t + " " + oc.kind());
      }
    }
  }

  @Test
  void rejectsGradientOfWrongShape() {
    INDArray w = Nd4j.zeros(2, 3);
    Map<String, INDArray> params = Map.of("w", w);
    Optimizer opt = new Optimizer(OptimizerConfig.adam(LrSchedule.constant(0.1), 0.9, 0.99), params);
    var e = assertThrows(IllegalStateException.class, () -> opt.step(params, Map.of("w", Nd4j.zeros(3, 2)), 0));
    assertTrue(e.getMessage().contains("'w'"), e.getMessage());
  }
}
