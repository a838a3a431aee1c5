package org.genai4j.common.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
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

  /** y = x W^T + b + (alpha / r) (x A^T) B^T in double. */
  static double[] lowRankReference(double[] x, java.util.Map<String, double[]> ps, String name, int in, int out,
      int r, double alpha) {
    double[] y = reference(x, ps.get(name + ".weight"), ps.get(name + ".bias"), in, out);
    double[] a = ps.get(name + ".lora_A");
    double[] b = ps.get(name + ".lora_B");
    int rows = x.length / in;
    for (int n = 0; n < rows; n++) {
      for (int k = 0; k < r; k++) {
        double hk = 0;
        for (int i = 0; i < in; i++) {
          hk += x[n * in + i] * a[k * in + i];
        }
        for (int o = 0; o < out; o++) {
          y[n * out + o] += alpha / r * hk * b[o * r + k];
        }
      }
    }
    return y;
  }

  @Test
  void aLowRankAdapterMatchesReferenceAndFiniteDifferencesAndMerges() {
    Params p = Params.init(1);
    Linear l = new Linear(p, "fc", 6, 5, true).withLowRank(p, 2, 4.0);
    assertEquals(4, l.params().size());
    // B starts at zero (the layer is unchanged); give it values so that A's gradient is not zero.
    l.loraB().value().copyFrom(random(9, 5, 2));
    OpCheck.of(l, random(2, 3, 6), (x, ps) -> lowRankReference(x, ps, "fc", 6, 5, 2, 4.0)).assertCorrect();
    // A frozen base: its gradients are not computed, the adapter's are.
    l.weight().setRequiresGrad(false);
    l.weight().zeroGrad();
    Tensor x = random(3, 4, 6);
    float[] before = l.forward(StepContext.inference(), x).toArray();
    l.mergeLowRank();
    Linear plain = new Linear(l.weight(), l.bias());
    float[] merged = plain.forward(StepContext.inference(), x).toArray();
    assertArrayEquals(before, merged, 1e-5f, "the merged weight computes what the adapter did");
    var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new Linear(p, "g", 3, 3, false).withLowRank(p, 4, 8));
    assertTrue(e.getMessage().contains("LoRA rank must be in 1..3"), e.getMessage());
  }
}
