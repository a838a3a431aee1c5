package org.genai4j.common.ops;

/**
 * PyTorch's {@code nn.ConvTranspose2d} with a square kernel (no output padding, no dilation):
 * {@code [N, in, H, W] -> [N, out, H', W']}, {@code H' = (H - 1) stride + kernel - 2 padding}
 * (kernel 4, stride 2, padding 1 doubles the size), weight {@code [in, out, k, k]} (PyTorch's
 * layout), optional bias {@code [out]}. A DCGAN generator's upsampling layer.
 *
 * <p>The forward pass is libnd4j's (oneDNN) {@code deconv2d} run directly on the tensors, except
 * for few output channels ({@code out k k <= }{@value ConvLayer#PATCH_ROWS}: a generator's or a VAE
 * decoder's last layer), where one gemm per image into columns and their sum into the image
 * (col2im in Java) measured 3-7x faster (32 or 64 -> 1 channels, 14 -> 28 pixels, 64 images:
 * 0.8-2.1 ms against oneDNN's 5-9 ms; 64 -> 3 channels, 16 -> 32 pixels: 2.7-3.0 against 11-13
 * ms). The backward pass does only the work asked for, with the cheaper kernel for each part:
 * <ul>
 *   <li>both gradients: {@code deconv2d_bp}, one oneDNN call (the weight gradient into scratch,
 *       then added, since gradients accumulate); for a generator's last layer (64 -> 1 channels)
 *       this measured 10-15% faster than the convolution plus im2col that the hand-written DCGAN
 *       step used;
 *   <li>input gradient alone (frozen weights): the convolution of the output gradient with the
 *       same weights ({@code conv2d}, a forward kernel);
 *   <li>weight gradient alone (its input is data, e.g. noise) with few output channels ({@code
 *       out k k <= }{@value ConvLayer#PATCH_ROWS}): one gemm per image over the output gradient's
 *       patches (im2col in Java), measured at 0.3-0.7x of {@code deconv2d_bp} for 1-8 channels.
 * </ul>
 * The bias gradient is two BLAS products with ones.
 */
public final class ConvTranspose2d extends ConvLayer {

  /**
   * A layer with PyTorch's default initialization: weights and bias uniform on {@code
   * +-1/sqrt(out k k)} (PyTorch takes a transposed convolution's fan-in from its weight's second
   * dimension).
   */
  public ConvTranspose2d(Params params, String name, int in, int out, int kernel, int stride, int padding,
      boolean bias) {
    this(params, name, in, out, kernel, stride, padding, bias, Init.fanInUniform(out * kernel * kernel),
        Init.fanInUniform(out * kernel * kernel));
  }

  /**
   * A layer with weights {@code name.weight} {@code [in, out, kernel, kernel]} from {@code
   * weightInit} (DCGAN: {@code Init.normal(0.02)}) and, when {@code bias}, {@code name.bias} from
   * {@code biasInit}.
   */
  public ConvTranspose2d(Params params, String name, int in, int out, int kernel, int stride, int padding,
      boolean bias, Init weightInit, Init biasInit) {
    this(params.create(name + ".weight", weightInit, in, out, kernel, kernel),
        bias ? params.create(name + ".bias", biasInit, false, out) : null, stride, padding);
  }

  /** A layer over existing parameters: weight {@code [in, out, k, k]}, bias {@code [out]} or null. */
  public ConvTranspose2d(Param weight, Param bias, int stride, int padding) {
    super("conv_transpose2d", "[in, out, k, k]", weight, bias, 0, 1, stride, padding);
  }

  /** Skips the input's gradient (its input is data, e.g. noise): backward returns null. */
  public ConvTranspose2d withoutInputGradient() {
    setInputGradient(false);
    return this;
  }

  /**
   * Forces the Java kernels (forward by columns, weight gradient by patches) on or off, whatever
   * the channels and gradients (for tests and measurements).
   */
  ConvTranspose2d usePatches(boolean on) {
    forcePatches(on);
    return this;
  }

  @Override
  int outputSize(int size) {
    return kernels.transposedOut(size);
  }

  /** Whether a patch of the output ({@code out k k} values) is small: an image's few channels. */
  @Override
  boolean smallPatches() {
    return out * kernels.kernel * kernels.kernel <= PATCH_ROWS;
  }

  @Override
  void runForward(Tensor x, Tensor w, Tensor b, boolean javaKernel, Tensor y) {
    if (javaKernel) {
      kernels.deconv2dByColumns(x, w, b, y);
    } else {
      kernels.deconv2d(x, w, b, y);
    }
  }

  @Override
  void weightGradientByPatches(Tensor x, Tensor dy, Tensor dw) {
    // The weight gradient of a convolution from dy's space to x's with these weights.
    kernels.addWeightGradientByPatches(dy, x, dw);
  }

  @Override
  void bothGradients(Tensor x, Tensor w, Tensor dy, Tensor dx, Tensor dw) {
    kernels.deconv2dBackprop(x, w, dy, dx, dw);
  }

  @Override
  boolean inputGradientAloneFits(Tensor x, Tensor y) {
    return true;
  }

  @Override
  void inputGradientAlone(Tensor w, Tensor dy, Tensor dx) {
    kernels.conv2d(dy, w, null, dx);
  }
}
