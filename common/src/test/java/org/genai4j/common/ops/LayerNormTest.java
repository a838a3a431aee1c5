package org.genai4j.common.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.genai4j.common.testing.OpCheck;
import org.junit.jupiter.api.Test;

class LayerNormTest {

  /** PyTorch's layer norm over rows of {@code dim}, in double. */
  static double[] reference(double[] x, double[] w, double[] b, int dim, double eps) {
    double[] y = new double[x.length];
    for (int r = 0; r < x.length / dim; r++) {
      double mean = 0;
      for (int c = 0; c < dim; c++) {
        mean += x[r * dim + c];
      }
      mean /= dim;
      double var = 0;
      for (int c = 0; c < dim; c++) {
        double d = x[r * dim + c] - mean;
        var += d * d;
      }
      var /= dim;
      double rs = 1 / Math.sqrt(var + eps);
      for (int c = 0; c < dim; c++) {
        y[r * dim + c] = (x[r * dim + c] - mean) * rs * w[c] + (b == null ? 0 : b[c]);
      }
    }
    return y;
  }

  /** Gain and bias away from their initial 1 and 0, so that their gradients and effects are visible. */
  static void perturb(Param p, long seed) {
    Tensor r = LinearTest.random(seed, p.shape());
    for (int i = 0; i < r.length(); i++) {
      p.value().set(i, p.value().get(i) + 0.3f * r.get(i));
    }
  }

  @Test
  void matchesReferenceAndFiniteDifferencesWithBias() {
    LayerNorm ln = new LayerNorm(Params.init(1), "ln_1", 7);
    perturb(ln.weight(), 2);
    perturb(ln.bias(), 3);
    OpCheck.of(ln, LinearTest.random(4, 2, 3, 7),
        (x, p) -> reference(x, p.get("ln_1.weight"), p.get("ln_1.bias"), 7, 1e-5)).assertCorrect();
  }

  @Test
  void matchesReferenceWithoutBiasAndAnotherEpsilonOnAWideRow() {
    // 133 columns: the four-accumulator sums have a remainder.
    LayerNorm ln = new LayerNorm(Params.init(1), "ln", 133, 0.1, false);
    perturb(ln.weight(), 5);
    assertEquals(1, ln.params().size());
    OpCheck.of(ln, LinearTest.random(6, 3, 133), (x, p) -> reference(x, p.get("ln.weight"), null, 133, 0.1))
        .samplesPerTensor(30).assertCorrect();
  }

  @Test
  void epsilonKeepsAConstantRowFinite() {
    // A constant row has zero variance: y = bias, and dx = (dy*w - mean(dy*w)) / sqrt(eps).
    LayerNorm ln = new LayerNorm(Params.init(1), "ln", 4);
    perturb(ln.weight(), 2);
    perturb(ln.bias(), 3);
    StepContext ctx = StepContext.training(1, 0);
    Tensor x = Tensor.of(new float[] {2.5f, 2.5f, 2.5f, 2.5f}, 1, 4);
    assertArrayEquals(ln.bias().value().toArray(), ln.forward(ctx, x).toArray(), 1e-6f);
    float[] dy = {0.3f, -1.2f, 0.7f, 2.0f};
    float[] dx = ln.backward(ctx, Tensor.of(dy, 1, 4)).toArray();
    float[] w = ln.weight().value().toArray();
    double mean = 0;
    for (int c = 0; c < 4; c++) {
      mean += dy[c] * w[c] / 4.0;
    }
    for (int c = 0; c < 4; c++) {
      double expected = (dy[c] * w[c] - mean) / Math.sqrt(1e-5);
      assertEquals(expected, dx[c], 1e-5 * Math.abs(expected) + 1e-4, "dx[" + c + "]");
    }
    // And a nearly constant row is normalized with the epsilon (var 1e-6: without it the output would be +-1).
    Tensor near = Tensor.of(new float[] {1.001f, 0.999f, 1.001f, 0.999f}, 1, 4);
    double[] expected = reference(near.toDoubles(), ln.weight().value().toDoubles(), ln.bias().value().toDoubles(), 4,
        1e-5);
    OpCheck.assertClose("nearly constant row", expected, ln.forward(ctx, near).toDoubles(), 1e-4);
  }

  @Test
  void frozenGainGetsNoGradientButTheBiasDoes() {
    LayerNorm ln = new LayerNorm(Params.init(1), "ln", 3);
    ln.weight().setRequiresGrad(false);
    StepContext ctx = StepContext.training(1, 0);
    ln.forward(ctx, LinearTest.random(1, 2, 3));
    Tensor dy = LinearTest.random(2, 2, 3);
    ln.backward(ctx, dy);
    ln.backward(ctx, dy);
    assertArrayEquals(new float[3], ln.weight().grad().toArray());
    float[] d = dy.toArray();
    for (int c = 0; c < 3; c++) {
      assertEquals(2 * (d[c] + d[3 + c]), ln.bias().grad().get(c), 1e-5f, "bias gradients accumulate");
    }
  }

  @Test
  void wrongWidthIsNamed() {
    LayerNorm ln = new LayerNorm(Params.init(1), "h.0.ln_2", 3);
    var e = assertThrows(IllegalArgumentException.class, () -> ln.forward(StepContext.inference(),
        LinearTest.random(1, 2, 4)));
    assertTrue(e.getMessage().contains("h.0.ln_2.weight") && e.getMessage().contains("rows of 3"), e.getMessage());
  }
}
