package org.genai4j.common.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.genai4j.common.testing.OpCheck;
import org.junit.jupiter.api.Test;

class LinearTest {

  static Tensor random(long seed, int... shape) {
    Random r = new Random(seed);
    Tensor t = Tensor.zeros(shape);
    for (int i = 0; i < t.length(); i++) {
      t.set(i, (float) r.nextGaussian());
    }
    return t;
  }

  /** y[n][o] = sum_i x[n][i] w[o][i] + b[o], in double. */
  static double[] reference(double[] x, double[] w, double[] b, int in, int out) {
    int rows = x.length / in;
    double[] y = new double[rows * out];
    for (int n = 0; n < rows; n++) {
      for (int o = 0; o < out; o++) {
        double s = b == null ? 0 : b[o];
        for (int i = 0; i < in; i++) {
          s += x[n * in + i] * w[o * in + i];
        }
        y[n * out + o] = s;
      }
    }
    return y;
  }

  @Test
  void matchesReferenceAndFiniteDifferencesWithBias() {
    Params p = Params.init(1);
    Linear l = new Linear(p, "fc", 5, 3, true);
    OpCheck.of(l, random(2, 4, 5), (x, ps) -> reference(x, ps.get("fc.weight"), ps.get("fc.bias"), 5, 3))
        .assertCorrect();
  }

  @Test
  void matchesReferenceWithoutBiasOnThreeDimensionalInput() {
    Params p = Params.init(1);
    Linear l = new Linear(p, "proj", 6, 4, false);
    OpCheck.of(l, random(3, 2, 3, 6), (x, ps) -> reference(x, ps.get("proj.weight"), null, 6, 4)).assertCorrect();
    assertArrayEquals(new int[] {2, 3, 4}, l.forward(StepContext.inference(), random(3, 2, 3, 6)).shape());
  }

  @Test
  void skipsTheInputGradientWhenAsked() {
    Params p = Params.init(1);
    Linear l = new Linear(p, "fc", 5, 3, true).withoutInputGradient();
    OpCheck.of(l, random(2, 4, 5), (x, ps) -> reference(x, ps.get("fc.weight"), ps.get("fc.bias"), 5, 3))
        .inputGradient(false).assertCorrect();
  }

  @Test
  void frozenWeightsGetNoGradient() {
    Params p = Params.init(1);
    Linear l = new Linear(p, "fc", 3, 2, true);
    l.weight().setRequiresGrad(false);
    StepContext ctx = StepContext.training(1, 0);
    l.forward(ctx, random(4, 2, 3));
    l.backward(ctx, random(5, 2, 2));
    assertArrayEquals(new float[6], l.weight().grad().toArray());
  }

  @Test
  void gradientsAccumulateAcrossCalls() {
    Params p = Params.init(1);
    Linear l = new Linear(p, "fc", 3, 2, true);
    StepContext ctx = StepContext.training(1, 0);
    Tensor x = random(4, 2, 3);
    Tensor dy = random(5, 2, 2);
    l.forward(ctx, x);
    l.backward(ctx, dy);
    float[] once = l.weight().grad().toArray();
    l.forward(ctx, x);
    l.backward(ctx, dy);
    float[] twice = l.weight().grad().toArray();
    for (int i = 0; i < once.length; i++) {
      org.junit.jupiter.api.Assertions.assertEquals(2 * once[i], twice[i], 1e-5);
    }
  }

  @Test
  void wrongInputWidthIsNamed() {
    Linear l = new Linear(Params.init(1), "fc", 3, 2, true);
    var e = assertThrows(IllegalArgumentException.class, () -> l.forward(StepContext.inference(), random(1, 2, 4)));
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("fc.weight"), e.getMessage());
  }
}
