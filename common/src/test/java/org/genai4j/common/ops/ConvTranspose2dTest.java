package org.genai4j.common.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.genai4j.common.testing.OpCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConvTranspose2dTest {

  /**
   * The transposed convolution in double, as a scatter: every input pixel {@code x[n][c][i][j]} adds
   * {@code x w[c][o][kh][kw]} to {@code y[n][o][i s + kh - p][j s + kw - p]} (dropped outside the
   * output), weights in PyTorch's {@code [in, out, k, k]}.
   */
  static double[] reference(double[] x, double[] w, double[] b, int n, int in, int h, int wd, int out, int k, int s,
      int p) {
    int ho = (h - 1) * s + k - 2 * p;
    int wo = (wd - 1) * s + k - 2 * p;
    double[] y = new double[n * out * ho * wo];
    for (int i = 0; i < n; i++) {
      for (int o = 0; o < out; o++) {
        for (int q = 0; q < ho * wo; q++) {
          y[(i * out + o) * ho * wo + q] = b == null ? 0 : b[o];
        }
      }
      for (int c = 0; c < in; c++) {
        for (int r = 0; r < h; r++) {
          for (int col = 0; col < wd; col++) {
            double v = x[((i * in + c) * h + r) * wd + col];
            for (int o = 0; o < out; o++) {
              for (int kh = 0; kh < k; kh++) {
                for (int kw = 0; kw < k; kw++) {
                  int oh = r * s + kh - p;
                  int ow = col * s + kw - p;
                  if (oh >= 0 && oh < ho && ow >= 0 && ow < wo) {
                    y[((i * out + o) * ho + oh) * wo + ow] += v * w[((c * out + o) * k + kh) * k + kw];
                  }
                }
              }
            }
          }
        }
      }
    }
    return y;
  }

  private static ConvTranspose2d deconv(int in, int out, int k, int s, int p, boolean bias) {
    return new ConvTranspose2d(Params.init(5), "up", in, out, k, s, p, bias, Init.normal(0.3), Init.normal(0.3));
  }

  @ParameterizedTest(name = "im2col weight gradient: {0}")
  @ValueSource(booleans = {true, false})
  void dcganGeometryMatchesReferenceAndFiniteDifferences(boolean patches) {
    // kernel 4, stride 2, padding 1 doubles the size: G's upsampling layer.
    ConvTranspose2d d = deconv(4, 3, 4, 2, 1, true).usePatches(patches);
    OpCheck.of(d, LinearTest.random(2, 2, 4, 4, 4),
        (x, ps) -> reference(x, ps.get("up.weight"), ps.get("up.bias"), 2, 4, 4, 4, 3, 4, 2, 1)).assertCorrect();
  }

  @ParameterizedTest(name = "im2col weight gradient: {0}")
  @ValueSource(booleans = {true, false})
  void oddGeometryAndRectangularInput(boolean patches) {
    // kernel 3, stride 2, padding 0 on a 3 x 4 input: 7 x 9 output.
    ConvTranspose2d d = deconv(3, 2, 3, 2, 0, false).usePatches(patches);
    OpCheck.of(d, LinearTest.random(3, 2, 3, 3, 4),
        (x, ps) -> reference(x, ps.get("up.weight"), null, 2, 3, 3, 4, 2, 3, 2, 0)).assertCorrect();
  }

  @Test
  void generatorLastLayerMakesOneChannelImages() {
    // 8 -> 1 channels with bias: the image side, the default path (deconv2d_bp).
    ConvTranspose2d d = deconv(8, 1, 4, 2, 1, true);
    OpCheck.of(d, LinearTest.random(4, 3, 8, 3, 3),
        (x, ps) -> reference(x, ps.get("up.weight"), ps.get("up.bias"), 3, 8, 3, 3, 1, 4, 2, 1)).assertCorrect();
  }

  @Test
  void noiseInputSkipsTheInputGradient() {
    // 6 output channels of a 4x4 kernel: 96 patch rows, so the weight gradient by patches by default.
    ConvTranspose2d d = deconv(5, 6, 4, 1, 0, true).withoutInputGradient();
    OpCheck.of(d, LinearTest.random(6, 2, 5, 1, 1),
        (x, ps) -> reference(x, ps.get("up.weight"), ps.get("up.bias"), 2, 5, 1, 1, 6, 4, 1, 0))
        .inputGradient(false).assertCorrect();
  }

  @Test
  void frozenWeightsGetNoGradientAndTheInputGradientIsRight() {
    ConvTranspose2d d = deconv(6, 5, 4, 2, 1, true);
    d.weight().setRequiresGrad(false);
    OpCheck.of(d, LinearTest.random(7, 2, 6, 3, 3),
        (x, ps) -> reference(x, ps.get("up.weight"), ps.get("up.bias"), 2, 6, 3, 3, 5, 4, 2, 1)).assertCorrect();
    assertArrayEquals(new float[d.weight().value().length()], d.weight().grad().toArray());
  }

  @ParameterizedTest(name = "im2col weight gradient: {0}")
  @ValueSource(booleans = {true, false})
  void gradientsAccumulate(boolean patches) {
    ConvTranspose2d d = deconv(3, 2, 4, 2, 1, true).usePatches(patches);
    StepContext ctx = StepContext.training(1, 0);
    Tensor x = LinearTest.random(8, 2, 3, 3, 3);
    Tensor dy = LinearTest.random(9, 2, 2, 6, 6);
    d.forward(ctx, x);
    d.backward(ctx, dy);
    float[] once = d.weight().grad().toArray();
    d.forward(ctx, x);
    d.backward(ctx, dy);
    float[] twice = d.weight().grad().toArray();
    for (int i = 0; i < once.length; i++) {
      org.junit.jupiter.api.Assertions.assertEquals(2 * once[i], twice[i], 1e-5 * (1 + Math.abs(twice[i])));
    }
  }

  @ParameterizedTest(name = "Java kernels: {0}")
  @ValueSource(booleans = {true, false})
  void rowBlockViewsWorkAsInputsAndGradients(boolean patches) {
    // A shard's rows of a batch tensor (a view at an offset) give what a copy of them gives.
    ConvTranspose2d d = deconv(3, 2, 4, 2, 1, true).usePatches(patches);
    StepContext ctx = StepContext.training(1, 0);
    Tensor batch = LinearTest.random(10, 5, 3, 3, 3);
    Tensor grads = LinearTest.random(11, 5, 2, 6, 6);
    float[] yView = d.forward(ctx, batch.rowRange(2, 5)).toArray();
    float[] dxView = d.backward(ctx, grads.rowRange(2, 5)).toArray();
    float[] dwView = d.weight().grad().toArray();
    d.weight().zeroGrad();
    float[] yCopy = d.forward(ctx, batch.rowRange(2, 5).copy()).toArray();
    float[] dxCopy = d.backward(ctx, grads.rowRange(2, 5).copy()).toArray();
    assertArrayEquals(yCopy, yView);
    assertArrayEquals(dxCopy, dxView);
    assertArrayEquals(d.weight().grad().toArray(), dwView);
  }

  @Test
  void fewOutputChannelsByColumnsMatchOneDnn() {
    // The forward pass picks the Java kernel by itself for 2 x 4 x 4 <= 128 output taps.
    ConvTranspose2d auto = deconv(6, 2, 4, 2, 1, true);
    ConvTranspose2d oneDnn = deconv(6, 2, 4, 2, 1, true).usePatches(false);
    Tensor x = LinearTest.random(12, 3, 6, 5, 7);
    StepContext ctx = StepContext.inference();
    OpCheck.assertClose("by columns vs oneDNN", oneDnn.forward(ctx, x).toDoubles(), auto.forward(ctx, x).toDoubles(),
        1e-5);
  }

  @Test
  void layoutIsPyTorchsAndBadInputIsNamed() {
    ConvTranspose2d d = deconv(4, 2, 4, 2, 1, false);
    assertArrayEquals(new int[] {4, 2, 4, 4}, d.weight().shape());
    assertArrayEquals(new int[] {3, 2, 14, 14}, d.forward(StepContext.inference(), LinearTest.random(1, 3, 4, 7, 7))
        .shape());
    var e = assertThrows(IllegalArgumentException.class,
        () -> d.forward(StepContext.inference(), LinearTest.random(1, 3, 2, 7, 7)));
    assertTrue(e.getMessage().contains("up.weight") && e.getMessage().contains("[N, 4, H, W]"), e.getMessage());
  }
}
