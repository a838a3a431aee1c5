package org.genai4j.common.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.genai4j.common.testing.OpCheck;
import org.junit.jupiter.api.Test;

class GaussianKlTest {

  /** {@code 1/2 sum (mu^2 + exp(lv) - 1 - lv)} over rows {@code [mu | logvar]}, over {@code n}. */
  static double reference(double[] x, int z, double n) {
    double sum = 0;
    for (int r = 0; r < x.length / (2 * z); r++) {
      for (int j = 0; j < z; j++) {
        double mu = x[r * 2 * z + j];
        double lv = x[r * 2 * z + z + j];
        sum += mu * mu + Math.exp(lv) - 1 - lv;
      }
    }
    return 0.5 * sum / n;
  }

  static Layer asLayer(GaussianKl kl) {
    return new Layer() {
      @Override
      public Tensor forward(StepContext ctx, Tensor x) {
        return Tensor.of(new float[] {(float) kl.forward(ctx, x)}, 1);
      }

      @Override
      public Tensor backward(StepContext ctx, Tensor dy) {
        return kl.backward(ctx, dy.get(0));
      }
    };
  }

  @Test
  void matchesTheClosedFormAndFiniteDifferences() {
    OpCheck.of(asLayer(new GaussianKl()), LinearTest.random(1, 5, 8), (x, p) -> new double[] {reference(x, 4, 5)})
        .tolerance(1e-5).assertCorrect();
  }

  @Test
  void isZeroAtThePrior() {
    GaussianKl kl = new GaussianKl();
    StepContext ctx = StepContext.training(1, 0);
    assertEquals(0, kl.forward(ctx, Tensor.zeros(3, 6)), 0);
    for (float g : kl.backward(ctx).toArray()) {
      assertEquals(0f, g);
    }
  }

  @Test
  void addGradientAddsTheWeightedGradient() {
    GaussianKl kl = new GaussianKl();
    StepContext ctx = StepContext.training(1, 0);
    Tensor x = LinearTest.random(2, 3, 4);
    kl.forward(ctx, x);
    float[] g = kl.backward(ctx, 0.25f).toArray();
    Tensor into = LinearTest.random(3, 3, 4);
    float[] before = into.toArray();
    kl.addGradient(ctx, 0.25f, into);
    float[] after = into.toArray();
    for (int i = 0; i < g.length; i++) {
      assertEquals(before[i] + g[i], after[i], 1e-6);
    }
    var e = assertThrows(IllegalArgumentException.class, () -> kl.addGradient(ctx, 1f, Tensor.zeros(2, 4)));
    assertTrue(e.getMessage().contains("gaussian KL"), e.getMessage());
  }

  @Test
  void twoShardsAddUpToOne() throws Exception {
    Tensor x = LinearTest.random(4, 5, 6);
    StepContext base = StepContext.training(1, 0);
    GaussianKl whole = new GaussianKl();
    double expected = whole.forward(base, x);
    float[] expectedGrad = whole.backward(base).toArray();
    int[] bounds = {0, 2, 5};
    List<Object[]> parts = ShardThreads.run(base, new int[] {0, 2}, (s, ctx) -> {
      GaussianKl kl = new GaussianKl();
      double l = kl.forward(ctx, x.rowRange(bounds[s], bounds[s + 1]));
      return new Object[] {l, kl.backward(ctx).toArray()};
    });
    assertEquals(expected, (double) parts.get(0)[0] + (double) parts.get(1)[0], 1e-6 * expected);
    float[] a = (float[]) parts.get(0)[1];
    float[] b = (float[]) parts.get(1)[1];
    for (int i = 0; i < expectedGrad.length; i++) {
      assertEquals(expectedGrad[i], i < a.length ? a[i] : b[i - a.length], 1e-7);
    }
  }

  @Test
  void badInputIsNamed() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> new GaussianKl().forward(StepContext.training(1, 0), Tensor.zeros(3, 5)));
    assertTrue(e.getMessage().contains("[N, 2Z]") && e.getMessage().contains("[3, 5]"), e.getMessage());
  }
}
