package org.genai4j.common.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.genai4j.common.testing.OpCheck;
import org.junit.jupiter.api.Test;

class GaussianNllTest {

  /** {@code sum (t - m)^2 / (2 s^2) + log(2 pi s^2) / 2} over {@code n}. */
  static double fixedReference(double[] m, double[] t, double std, double n) {
    double sum = 0;
    for (int i = 0; i < m.length; i++) {
      double d = t[i] - m[i];
      sum += d * d / (2 * std * std) + 0.5 * Math.log(2 * Math.PI * std * std);
    }
    return sum / n;
  }

  /** Rows {@code [means (d) | log-variances (d)]}: {@code sum ((t - m)^2 exp(-lv) + lv + log 2 pi) / 2} over {@code n}. */
  static double learnedReference(double[] out, double[] t, int n) {
    int d = t.length / n;
    double sum = 0;
    for (int r = 0; r < n; r++) {
      for (int j = 0; j < d; j++) {
        double m = out[r * 2 * d + j];
        double lv = out[r * 2 * d + d + j];
        double diff = t[r * d + j] - m;
        sum += 0.5 * (diff * diff * Math.exp(-lv) + lv + Math.log(2 * Math.PI));
      }
    }
    return sum / n;
  }

  static Layer asLayer(GaussianNll loss, Tensor targets) {
    return new Layer() {
      @Override
      public Tensor forward(StepContext ctx, Tensor x) {
        return Tensor.of(new float[] {(float) loss.forward(ctx, x, targets)}, 1);
      }

      @Override
      public Tensor backward(StepContext ctx, Tensor dy) {
        return loss.backward(ctx, dy.get(0));
      }
    };
  }

  @Test
  void fixedStdSumsEachExampleAndAveragesOverExamples() {
    // Means [N, D] against images of another shape with the same elements, as an MLP decoder gives them.
    Tensor images = SigmoidCrossEntropyTest.uniform(1, 4, 1, 3, 5);
    double[] t = images.toDoubles();
    OpCheck.of(asLayer(GaussianNll.fixedStd(0.3), images), LinearTest.random(2, 4, 15),
        (x, p) -> new double[] {fixedReference(x, t, 0.3, 4)}).tolerance(1e-5).assertCorrect();
  }

  @Test
  void learnedVarianceTakesMeansThenLogVariancesPerExample() {
    // A convolutional decoder's [N, 2C, H, W]: the first C channels are means, the next C log-variances.
    Tensor images = SigmoidCrossEntropyTest.uniform(3, 3, 2, 2, 3);
    double[] t = images.toDoubles();
    Tensor out = LinearTest.random(4, 3, 4, 2, 3);
    out.scale(0.7f);
    OpCheck.of(asLayer(GaussianNll.learnedVariance(), images), out,
        (x, p) -> new double[] {learnedReference(x, t, 3)}).tolerance(1e-5).assertCorrect();
  }

  @Test
  void longRowsSpanSeveralChunks() {
    Tensor images = SigmoidCrossEntropyTest.uniform(5, 2, 2500);
    Tensor out = LinearTest.random(6, 2, 5000);
    double l = GaussianNll.learnedVariance().forward(StepContext.training(1, 0), out, images);
    double expected = learnedReference(out.toDoubles(), images.toDoubles(), 2);
    assertEquals(expected, l, 1e-5 * Math.abs(expected));
    Tensor means = LinearTest.random(7, 2, 2500);
    double f = GaussianNll.fixedStd(0.5).forward(StepContext.training(1, 0), means, images);
    double fixedExpected = fixedReference(means.toDoubles(), images.toDoubles(), 0.5, 2);
    assertEquals(fixedExpected, f, 1e-5 * Math.abs(fixedExpected));
  }

  @Test
  void twoShardsAddUpToOne() throws Exception {
    Tensor out = LinearTest.random(8, 5, 12);
    Tensor images = SigmoidCrossEntropyTest.uniform(9, 5, 6);
    StepContext base = StepContext.training(1, 0);
    GaussianNll whole = GaussianNll.learnedVariance();
    double expected = whole.forward(base, out, images);
    float[] expectedGrad = whole.backward(base, 0.5f).toArray();
    int[] bounds = {0, 3, 5};
    List<Object[]> parts = ShardThreads.run(base, new int[] {0, 3}, (s, ctx) -> {
      GaussianNll loss = GaussianNll.learnedVariance();
      double l = loss.forward(ctx, out.rowRange(bounds[s], bounds[s + 1]), images.rowRange(bounds[s], bounds[s + 1]));
      return new Object[] {l, loss.backward(ctx, 0.5f).toArray()};
    });
    assertEquals(expected, (double) parts.get(0)[0] + (double) parts.get(1)[0], 1e-6 * Math.abs(expected));
    float[] a = (float[]) parts.get(0)[1];
    float[] b = (float[]) parts.get(1)[1];
    for (int i = 0; i < expectedGrad.length; i++) {
      assertEquals(expectedGrad[i], i < a.length ? a[i] : b[i - a.length], 1e-7);
    }
  }

  @Test
  void misuseIsNamed() {
    var e = assertThrows(IllegalArgumentException.class, () -> GaussianNll.learnedVariance()
        .forward(StepContext.training(1, 0), LinearTest.random(1, 4, 6), SigmoidCrossEntropyTest.uniform(1, 4, 6)));
    assertTrue(e.getMessage().contains("gaussian NLL") && e.getMessage().contains("twice"), e.getMessage());
    var std = assertThrows(IllegalArgumentException.class, () -> GaussianNll.fixedStd(0));
    assertTrue(std.getMessage().contains("standard deviation"), std.getMessage());
    GaussianNll loss = GaussianNll.fixedStd(1);
    loss.forward(StepContext.inference(), LinearTest.random(1, 4, 3), SigmoidCrossEntropyTest.uniform(1, 4, 3));
    assertThrows(IllegalStateException.class, () -> loss.backward(StepContext.inference()));
  }
}
