package org.genai4j.common.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.genai4j.common.testing.OpCheck;
import org.junit.jupiter.api.Test;

class SigmoidCrossEntropyTest {

  /** The loss in double: {@code sum max(x, 0) - x t + log1p(exp(-|x|))} over {@code denominator}. */
  static double reference(double[] x, double[] t, double denominator) {
    double sum = 0;
    for (int i = 0; i < x.length; i++) {
      sum += Math.max(x[i], 0) - x[i] * t[i] + Math.log1p(Math.exp(-Math.abs(x[i])));
    }
    return sum / denominator;
  }

  /** The loss as a one-output layer for OpCheck: output [1] = the loss, input gradient = dy * dLoss/dx. */
  static Layer asLayer(SigmoidCrossEntropy loss, Tensor targets, float constant) {
    return new Layer() {
      @Override
      public Tensor forward(StepContext ctx, Tensor x) {
        double l = targets == null ? loss.forward(ctx, x, constant) : loss.forward(ctx, x, targets);
        return Tensor.of(new float[] {(float) l}, 1);
      }

      @Override
      public Tensor backward(StepContext ctx, Tensor dy) {
        return loss.backward(ctx, dy.get(0));
      }
    };
  }

  static Tensor uniform(long seed, int... shape) {
    Random r = new Random(seed);
    Tensor t = Tensor.zeros(shape);
    for (int i = 0; i < t.length(); i++) {
      t.set(i, r.nextFloat());
    }
    return t;
  }

  static Tensor logits(long seed, int... shape) {
    Tensor t = LinearTest.random(seed, shape);
    t.scale(3f);
    return t;
  }

  @Test
  void bernoulliReconstructionSumsEachImageAndAveragesOverImages() {
    // Logits [N, D] against images of another shape with the same elements, as a VAE's decoder gives them.
    Tensor images = uniform(1, 4, 1, 3, 5);
    double[] t = images.toDoubles();
    OpCheck.of(asLayer(new SigmoidCrossEntropy(), images, 0f), logits(2, 4, 15),
        (x, p) -> new double[] {reference(x, t, 4)}).tolerance(1e-5).assertCorrect();
  }

  @Test
  void labelSmoothingPerRowOnStackedRealAndFakeLogits() {
    Tensor targets = Tensor.of(new float[] {0.9f, 0.9f, 0.9f, 0f, 0f, 0f}, 6);
    double[] t = {0.9, 0.9, 0.9, 0, 0, 0};
    OpCheck.of(asLayer(new SigmoidCrossEntropy(), targets, 0f), logits(3, 6, 1),
        (x, p) -> new double[] {reference(x, t, 6)}).tolerance(1e-5).assertCorrect();
  }

  @Test
  void perRowTargetsCoverEveryElementOfTheirRow() {
    Tensor targets = Tensor.of(new float[] {0.9f, 0.1f, 1f}, 3);
    double[] t = new double[12];
    for (int i = 0; i < 12; i++) {
      t[i] = targets.get(i / 4);
    }
    OpCheck.of(asLayer(new SigmoidCrossEntropy(), targets, 0f), logits(4, 3, 4),
        (x, p) -> new double[] {reference(x, t, 3)}).tolerance(1e-5).assertCorrect();
  }

  @Test
  void constantTargetAndMeanOverElements() {
    double[] ones = new double[2 * 5 * 3];
    java.util.Arrays.fill(ones, 1);
    OpCheck.of(asLayer(new SigmoidCrossEntropy(SigmoidCrossEntropy.Reduction.MEAN_OF_ELEMENTS), null, 1f),
        logits(5, 2, 5, 3), (x, p) -> new double[] {reference(x, ones, 30)}).tolerance(1e-5).assertCorrect();
  }

  @Test
  void longRowsUseTheProductOfManyFactors() {
    // 3 x 700 elements: several 256-element products per chunk, and a remainder.
    Tensor images = uniform(6, 3, 700);
    double[] t = images.toDoubles();
    Tensor x = logits(7, 3, 700);
    SigmoidCrossEntropy loss = new SigmoidCrossEntropy();
    double l = loss.forward(StepContext.training(1, 0), x, images);
    assertEquals(reference(x.toDoubles(), t, 3), l, 1e-5 * Math.abs(l));
  }

  @Test
  void twoShardsAddUpToOne() throws Exception {
    Tensor x = logits(8, 7, 10);
    Tensor images = uniform(9, 7, 10);
    StepContext base = StepContext.training(1, 0);
    SigmoidCrossEntropy whole = new SigmoidCrossEntropy();
    double expected = whole.forward(base, x, images);
    float[] expectedGrad = whole.backward(base, 0.5f).toArray();
    int[] bounds = {0, 4, 7};
    List<Object[]> parts = ShardThreads.run(base, new int[] {0, 4}, (s, ctx) -> {
      SigmoidCrossEntropy loss = new SigmoidCrossEntropy();
      double l = loss.forward(ctx, x.rowRange(bounds[s], bounds[s + 1]), images.rowRange(bounds[s], bounds[s + 1]));
      return new Object[] {l, loss.backward(ctx, 0.5f).toArray()};
    });
    assertEquals(expected, (double) parts.get(0)[0] + (double) parts.get(1)[0], 1e-6 * expected);
    float[] a = (float[]) parts.get(0)[1];
    float[] b = (float[]) parts.get(1)[1];
    for (int i = 0; i < expectedGrad.length; i++) {
      assertEquals(expectedGrad[i], i < a.length ? a[i] : b[i - a.length], 1e-7);
    }
  }

  @Test
  void extremeLogitsStayFiniteAndExact() {
    float[] xs = {100f, -100f, 100f, -100f, 100f, -100f};
    float[] ts = {0f, 1f, 1f, 0f, 0.9f, 0.9f};
    SigmoidCrossEntropy loss = new SigmoidCrossEntropy();
    StepContext ctx = StepContext.training(1, 0);
    double l = loss.forward(ctx, Tensor.of(xs, 6, 1), Tensor.of(ts, 6));
    // 100 + 100 + 0 + 0 + 10 + 90 (log1p(exp(-100)) is below float's resolution), over 6 examples.
    assertEquals(300.0 / 6, l, 1e-5);
    float[] g = loss.backward(ctx).toArray();
    float[] expected = {1f, -1f, 0f, 0f, 0.1f, -0.9f};
    for (int i = 0; i < 6; i++) {
      assertTrue(Float.isFinite(g[i]));
      assertEquals(expected[i] / 6, g[i], 1e-7);
    }
  }

  @Test
  void misuseIsNamed() {
    SigmoidCrossEntropy loss = new SigmoidCrossEntropy();
    var e = assertThrows(IllegalArgumentException.class,
        () -> loss.forward(StepContext.training(1, 0), logits(1, 4, 3), uniform(1, 5)));
    assertTrue(e.getMessage().contains("sigmoid cross-entropy") && e.getMessage().contains("[4, 3]"), e.getMessage());
    loss.forward(StepContext.inference(), logits(1, 4, 3), 1f);
    assertThrows(IllegalStateException.class, () -> loss.backward(StepContext.inference()));
  }
}
