package org.genai4j.common.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.genai4j.common.testing.OpCheck;
import org.junit.jupiter.api.Test;

class RmsNormTest {

  /** Llama's RMS norm over rows of {@code dim}, in double. */
  static double[] reference(double[] x, double[] w, int dim, double eps) {
    double[] y = new double[x.length];
    for (int r = 0; r < x.length / dim; r++) {
      double ms = 0;
      for (int c = 0; c < dim; c++) {
        ms += x[r * dim + c] * x[r * dim + c];
      }
      double rs = 1 / Math.sqrt(ms / dim + eps);
      for (int c = 0; c < dim; c++) {
        y[r * dim + c] = x[r * dim + c] * rs * w[c];
      }
    }
    return y;
  }

  @Test
  void matchesReferenceAndFiniteDifferences() {
    RmsNorm n = new RmsNorm(Params.init(1), "model.layers.0.input_layernorm", 9);
    LayerNormTest.perturb(n.weight(), 2);
    OpCheck.of(n, LinearTest.random(3, 2, 2, 9),
        (x, p) -> reference(x, p.get("model.layers.0.input_layernorm.weight"), 9, 1e-6)).assertCorrect();
  }

  @Test
  void matchesReferenceWithALargeEpsilon() {
    RmsNorm n = new RmsNorm(Params.init(1), "norm", 6, 0.5);
    LayerNormTest.perturb(n.weight(), 4);
    OpCheck.of(n, LinearTest.random(5, 4, 6), (x, p) -> reference(x, p.get("norm.weight"), 6, 0.5)).assertCorrect();
  }

  @Test
  void epsilonKeepsAZeroRowFinite() {
    // A zero row: y = 0 and dx = dy * w / sqrt(eps).
    RmsNorm n = new RmsNorm(Params.init(1), "norm", 3, 1e-6);
    LayerNormTest.perturb(n.weight(), 2);
    StepContext ctx = StepContext.training(1, 0);
    assertArrayEquals(new float[3], n.forward(ctx, Tensor.zeros(1, 3)).toArray());
    float[] dy = {1f, -2f, 0.5f};
    float[] dx = n.backward(ctx, Tensor.of(dy, 1, 3)).toArray();
    for (int c = 0; c < 3; c++) {
      double expected = dy[c] * n.weight().value().get(c) / Math.sqrt(1e-6);
      assertEquals(expected, dx[c], 1e-5 * Math.abs(expected), "dx[" + c + "]");
    }
    assertArrayEquals(new float[3], n.weight().grad().toArray(), "a zero row adds nothing to the weight's gradient");
  }

  @Test
  void wrongWidthIsNamed() {
    RmsNorm n = new RmsNorm(Params.init(1), "norm", 3);
    var e = assertThrows(IllegalArgumentException.class, () -> n.forward(StepContext.inference(),
        LinearTest.random(1, 2, 5)));
    assertTrue(e.getMessage().contains("norm.weight") && e.getMessage().contains("rows of 3"), e.getMessage());
  }
}
