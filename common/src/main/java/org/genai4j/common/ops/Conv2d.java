package org.genai4j.common.ops;

/**
 * PyTorch's {@code nn.Conv2d} with a square kernel: {@code [N, in, H, W] -> [N, out, H', W']},
 * {@code H' = (H + 2 padding - kernel) / stride + 1}, weight {@code [out, in, k, k]} (PyTorch's
 * layout, so checkpoints open there unchanged), optional bias {@code [out]}.
 *
 * <p>The forward pass is libnd4j's (oneDNN) {@code conv2d} run directly on the tensors. The
 * backward pass does only the work asked for and picks the cheaper kernel for each part:
 * <ul>
 *   <li>both gradients: {@code conv2d_bp}, one oneDNN call (the weight gradient into scratch, then
 *       added, since gradients accumulate);
 *   <li>input gradient alone (frozen weights, as in a GAN's generator step through D): the
 *       transposed convolution of the output gradient with the same weights ({@code deconv2d}),
 *       half the work;
 *   <li>weight gradient alone (a first layer on data, {@link #withoutInputGradient()}) with few
 *       input channels ({@code in k k <= }{@value ConvLayer#PATCH_ROWS}, an image): one gemm per image over
 *       the input's patches (im2col in Java), measured at 0.2-0.5x of {@code conv2d_bp} for 1-8
 *       channels (which would also compute the unwanted input gradient). With the input gradient
 *       wanted too, patches plus {@code deconv2d} measured no faster than {@code conv2d_bp}.
 * </ul>
 * The input gradient by {@code deconv2d} needs
 * the geometry to be exact ({@code (H + 2 padding - kernel)} divisible by the stride); otherwise
 * {@code conv2d_bp} computes it.
 */
public final class Conv2d extends ConvLayer {
  /** The im2col paths are used up to this many patch rows ({@code channels * kernel * kernel}). */
  static final int PATCH_ROWS = ConvLayer.PATCH_ROWS;

  /** A layer with PyTorch's default initialization: weights and bias uniform on {@code +-1/sqrt(in k k)}. */
  public Conv2d(Params params, String name, int in, int out, int kernel, int stride, int padding, boolean bias) {
    this(params, name, in, out, kernel, stride, padding, bias, Init.fanInUniform(in * kernel * kernel),
        Init.fanInUniform(in * kernel * kernel));
  }

  /**
   * A layer with weights {@code name.weight} {@code [out, in, kernel, kernel]} from {@code
   * weightInit} (DCGAN: {@code Init.normal(0.02)}) and, when {@code bias}, {@code name.bias} from
   * {@code biasInit}.
   */
  public Conv2d(Params params, String name, int in, int out, int kernel, int stride, int padding, boolean bias,
      Init weightInit, Init biasInit) {
    this(params.create(name + ".weight", weightInit, out, in, kernel, kernel),
        bias ? params.create(name + ".bias", biasInit, false, out) : null, stride, padding);
  }

  /** A layer over existing parameters: weight {@code [out, in, k, k]}, bias {@code [out]} or null. */
  public Conv2d(Param weight, Param bias, int stride, int padding) {
    super("conv2d", "[out, in, k, k]", weight, bias, 1, 0, stride, padding);
  }

  /** Skips the input's gradient (its input is data, not a layer's output): backward returns null. */
  public Conv2d withoutInputGradient() {
    setInputGradient(false);
    return this;
  }

  /** Forces the im2col weight gradient on or off, whatever the channels and gradients (for tests and measurements). */
  Conv2d usePatches(boolean on) {
    forcePatches(on);
    return this;
  }

  @Override
  int outputSize(int size) {
    return kernels.convOut(size);
  }

  @Override
  boolean smallPatches() {
    return in * kernels.kernel * kernels.kernel <= PATCH_ROWS;
  }

  @Override
  void runForward(Tensor x, Tensor w, Tensor b, boolean javaKernel, Tensor y) {
    kernels.conv2d(x, w, b, y);
  }

  @Override
  void weightGradientByPatches(Tensor x, Tensor dy, Tensor dw) {
    kernels.addWeightGradientByPatches(x, dy, dw);
  }

  @Override
  void bothGradients(Tensor x, Tensor w, Tensor dy, Tensor dx, Tensor dw) {
    kernels.conv2dBackprop(x, w, dy, dx, dw);
  }

  @Override
  boolean inputGradientAloneFits(Tensor x, Tensor y) {
    // deconv2d gives back exactly x's size only when no input row or column was left over by the strides.
    return kernels.transposedOut(y.dim(2)) == x.dim(2) && kernels.transposedOut(y.dim(3)) == x.dim(3);
  }

  @Override
  void inputGradientAlone(Tensor w, Tensor dy, Tensor dx) {
    kernels.deconv2d(dy, w, null, dx);
  }
}
