package org.genai4j.common.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.genai4j.common.testing.OpCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Conv2dTest {

  /**
   * The textbook convolution in double: {@code y[n][o][i][j] = b[o] + sum_{c, kh, kw} w[o][c][kh][kw]
   * x[n][c][i s + kh - p][j s + kw - p]} (zero outside the image), weights in PyTorch's {@code [out,
   * in, k, k]}.
   */
  static double[] reference(double[] x, double[] w, double[] b, int n, int in, int h, int wd, int out, int k,
      int s, int p) {
    int ho = (h + 2 * p - k) / s + 1;
    int wo = (wd + 2 * p - k) / s + 1;
    double[] y = new double[n * out * ho * wo];
    for (int i = 0; i < n; i++) {
      for (int o = 0; o < out; o++) {
        for (int r = 0; r < ho; r++) {
          for (int c = 0; c < wo; c++) {
            double sum = b == null ? 0 : b[o];
            for (int ch = 0; ch < in; ch++) {
              for (int kh = 0; kh < k; kh++) {
                for (int kw = 0; kw < k; kw++) {
                  int ih = r * s + kh - p;
                  int iw = c * s + kw - p;
                  if (ih >= 0 && ih < h && iw >= 0 && iw < wd) {
                    sum += w[((o * in + ch) * k + kh) * k + kw] * x[((i * in + ch) * h + ih) * wd + iw];
                  }
                }
              }
            }
            y[((i * out + o) * ho + r) * wo + c] = sum;
          }
        }
      }
    }
    return y;
  }

  private static Conv2d conv(int in, int out, int k, int s, int p, boolean bias) {
    return new Conv2d(Params.init(5), "conv", in, out, k, s, p, bias, Init.normal(0.3), Init.normal(0.3));
  }

  @ParameterizedTest(name = "im2col weight gradient: {0}")
  @ValueSource(booleans = {true, false})
  void dcganGeometryMatchesReferenceAndFiniteDifferences(boolean patches) {
    // kernel 4, stride 2, padding 1: D's downsampling layer.
    Conv2d c = conv(3, 5, 4, 2, 1, true).usePatches(patches);
    OpCheck.of(c, LinearTest.random(2, 2, 3, 8, 8),
        (x, ps) -> reference(x, ps.get("conv.weight"), ps.get("conv.bias"), 2, 3, 8, 8, 5, 4, 2, 1)).assertCorrect();
  }

  @ParameterizedTest(name = "im2col weight gradient: {0}")
  @ValueSource(booleans = {true, false})
  void inexactGeometryAndRectangularInput(boolean patches) {
    // (7 + 2 - 4) is odd: the last input row and column are never used, so the input gradient
    // cannot come from deconv2d; 7 x 6 input.
    Conv2d c = conv(2, 3, 4, 2, 1, false).usePatches(patches);
    OpCheck.of(c, LinearTest.random(3, 2, 2, 7, 6),
        (x, ps) -> reference(x, ps.get("conv.weight"), null, 2, 2, 7, 6, 3, 4, 2, 1)).assertCorrect();
  }

  @Test
  void strideOneSameSizeWithManyChannels() {
    // 3x3, padding 1, 9 input channels, both gradients by default (conv2d_bp).
    Conv2d c = conv(9, 4, 3, 1, 1, true);
    OpCheck.of(c, LinearTest.random(4, 2, 9, 5, 5),
        (x, ps) -> reference(x, ps.get("conv.weight"), ps.get("conv.bias"), 2, 9, 5, 5, 4, 3, 1, 1)).assertCorrect();
  }

  @ParameterizedTest(name = "im2col weight gradient: {0}")
  @ValueSource(booleans = {true, false})
  void firstLayerSkipsTheInputGradient(boolean patches) {
    Conv2d c = conv(1, 4, 4, 2, 1, true).usePatches(patches).withoutInputGradient();
    OpCheck.of(c, LinearTest.random(6, 3, 1, 6, 6),
        (x, ps) -> reference(x, ps.get("conv.weight"), ps.get("conv.bias"), 3, 1, 6, 6, 4, 4, 2, 1))
        .inputGradient(false).assertCorrect();
  }

  @Test
  void theInputGradientCanBeSwitchedBetweenPasses() {
    // A GAN's D: no image gradient in its own step, the image gradient in the generator's step.
    Conv2d c = conv(1, 4, 4, 2, 1, true).withoutInputGradient();
    StepContext ctx = StepContext.training(1, 0);
    Tensor x = LinearTest.random(6, 3, 1, 6, 6);
    c.forward(ctx, x);
    assertNull(c.backward(ctx, LinearTest.random(7, 3, 4, 3, 3)));
    c.setInputGradient(true);
    c.weight().setRequiresGrad(false);
    c.bias().setRequiresGrad(false);
    OpCheck.of(c, x, (in, ps) -> reference(in, ps.get("conv.weight"), ps.get("conv.bias"), 3, 1, 6, 6, 4, 4, 2, 1))
        .assertCorrect();
  }

  @Test
  void frozenWeightsGetNoGradientAndTheInputGradientIsRight() {
    Conv2d c = conv(4, 6, 4, 2, 1, true);
    c.weight().setRequiresGrad(false);
    c.bias().setRequiresGrad(false);
    OpCheck.of(c, LinearTest.random(7, 2, 4, 6, 6),
        (x, ps) -> reference(x, ps.get("conv.weight"), ps.get("conv.bias"), 2, 4, 6, 6, 6, 4, 2, 1)).assertCorrect();
    assertArrayEquals(new float[c.weight().value().length()], c.weight().grad().toArray());
    assertArrayEquals(new float[6], c.bias().grad().toArray());
  }

  @ParameterizedTest(name = "im2col weight gradient: {0}")
  @ValueSource(booleans = {true, false})
  void gradientsAccumulate(boolean patches) {
    Conv2d c = conv(2, 3, 4, 2, 1, true).usePatches(patches);
    StepContext ctx = StepContext.training(1, 0);
    Tensor x = LinearTest.random(8, 2, 2, 6, 6);
    Tensor dy = LinearTest.random(9, 2, 3, 3, 3);
    c.forward(ctx, x);
    c.backward(ctx, dy);
    float[] once = c.weight().grad().toArray();
    float[] onceB = c.bias().grad().toArray();
    c.forward(ctx, x);
    c.backward(ctx, dy);
    float[] twice = c.weight().grad().toArray();
    float[] twiceB = c.bias().grad().toArray();
    for (int i = 0; i < once.length; i++) {
      org.junit.jupiter.api.Assertions.assertEquals(2 * once[i], twice[i], 1e-5 * (1 + Math.abs(twice[i])));
    }
    for (int i = 0; i < onceB.length; i++) {
      org.junit.jupiter.api.Assertions.assertEquals(2 * onceB[i], twiceB[i], 1e-5 * (1 + Math.abs(twiceB[i])));
    }
  }

  @Test
  void rowBlockViewsWorkAsInputsAndGradients() {
    // A shard's rows of a batch tensor (a view at an offset) give what a copy of them gives.
    Conv2d c = conv(2, 3, 4, 2, 1, true);
    StepContext ctx = StepContext.training(1, 0);
    Tensor batch = LinearTest.random(10, 5, 2, 6, 6);
    Tensor grads = LinearTest.random(11, 5, 3, 3, 3);
    float[] yView = c.forward(ctx, batch.rowRange(2, 5)).toArray();
    float[] dxView = c.backward(ctx, grads.rowRange(2, 5)).toArray();
    float[] dwView = c.weight().grad().toArray();
    c.weight().zeroGrad();
    float[] yCopy = c.forward(ctx, batch.rowRange(2, 5).copy()).toArray();
    float[] dxCopy = c.backward(ctx, grads.rowRange(2, 5).copy()).toArray();
    assertArrayEquals(yCopy, yView);
    assertArrayEquals(dxCopy, dxView);
    assertArrayEquals(c.weight().grad().toArray(), dwView);
  }

  @Test
  void layoutIsPyTorchs() {
    Conv2d c = conv(2, 3, 4, 2, 1, false);
    assertArrayEquals(new int[] {3, 2, 4, 4}, c.weight().shape());
    assertArrayEquals(new int[] {5, 3, 7, 7}, c.forward(StepContext.inference(), LinearTest.random(1, 5, 2, 14, 14))
        .shape());
    assertNull(c.bias());
  }

  @Test
  void badInputIsNamed() {
    Conv2d c = conv(2, 3, 4, 2, 1, true);
    var e = assertThrows(IllegalArgumentException.class,
        () -> c.forward(StepContext.inference(), LinearTest.random(1, 2, 3, 8, 8)));
    assertTrue(e.getMessage().contains("conv.weight") && e.getMessage().contains("[N, 2, H, W]"), e.getMessage());
    c.forward(StepContext.training(1, 0), LinearTest.random(1, 2, 2, 8, 8));
    var e2 = assertThrows(IllegalArgumentException.class,
        () -> c.backward(StepContext.training(1, 0), LinearTest.random(1, 2, 3, 5, 5)));
    assertTrue(e2.getMessage().contains("[2, 3, 4, 4]"), e2.getMessage());
  }
}
