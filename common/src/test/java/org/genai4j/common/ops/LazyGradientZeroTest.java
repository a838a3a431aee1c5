package org.genai4j.common.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * {@link Param#zeroGrad()} only marks the gradient: an op that overwrites it whole skips clearing
 * it, an op that adds into it (or a reader) sees zeros first.
 */
class LazyGradientZeroTest {

  private static Tensor input(int seed) {
    java.util.Random r = new java.util.Random(seed);
    float[] v = new float[4 * 6];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return Tensor.of(v, 4, 6);
  }

  @Test
  void aZeroedGradientReadsAsZerosAndAnOverwriteNeedsNoClearing() {
    Param p = Params.init(1).create("w", Init.constant(0f), true, 3, 2);
    p.grad().fill(5f);
    p.zeroGrad();
    assertArrayEquals(new float[6], p.grad().toArray(), 0f, "read after zeroGrad: zeros");
    p.grad().fill(5f);
    p.zeroGrad();
    assertEquals(0f, p.gradBeta(), "an overwrite may skip the zeros");
    assertEquals(1f, p.gradBeta(), "once written, further contributions add");
    assertEquals(5f, p.grad().get(0), "the marked-but-overwritten gradient was not cleared behind the op's back");
  }

  @Test
  void backwardTwiceAfterZeroGradAddsBothContributionsOnce() {
    Params params = Params.init(2);
    Linear l = new Linear(params, "fc", 6, 5, true);
    Tensor g = Tensor.zeros(4, 5);
    g.fill(0.25f);
    l.forward(StepContext.training(1, 0), input(1));
    l.backward(StepContext.training(1, 0), g);
    float[] once = l.weight().grad().toArray();
    float[] onceBias = l.bias().grad().toArray();
    l.weight().grad().fill(100f); // stale values a lazy zero must hide
    l.bias().grad().fill(100f);
    l.weight().zeroGrad();
    l.bias().zeroGrad();
    for (int i = 0; i < 2; i++) {
      l.forward(StepContext.training(1, 0), input(1));
      l.backward(StepContext.training(1, 0), g);
    }
    float[] twice = l.weight().grad().toArray();
    float[] twiceBias = l.bias().grad().toArray();
    for (int i = 0; i < once.length; i++) {
      assertEquals(2 * once[i], twice[i], 1e-5f, "weight gradient " + i);
    }
    for (int i = 0; i < onceBias.length; i++) {
      assertEquals(2 * onceBias[i], twiceBias[i], 1e-5f, "bias gradient " + i);
    }
  }
}
