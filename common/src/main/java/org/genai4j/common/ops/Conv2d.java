package org.genai4j.common.ops;

import java.util.ArrayList;
import java.util.List;

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
 *       input channels ({@code in k k <= }{@value #PATCH_ROWS}, an image): one gemm per image over
 *       the input's patches (im2col in Java), measured at 0.2-0.5x of {@code conv2d_bp} for 1-8
 *       channels (which would also compute the unwanted input gradient). With the input gradient
 *       wanted too, patches plus {@code deconv2d} measured no faster than {@code conv2d_bp}.
 * </ul>
 * The bias gradient is two BLAS products with ones. The input gradient by {@code deconv2d} needs
 * the geometry to be exact ({@code (H + 2 padding - kernel)} divisible by the stride); otherwise
 * {@code conv2d_bp} computes it.
 */
public final class Conv2d implements Layer {
  /** The im2col weight gradient is used up to this many patch rows ({@code in * kernel * kernel}). */
  static final int PATCH_ROWS = 128;

  private final Param weight;
  private final Param bias;
  private final int in;
  private final int out;
  private final ConvKernels kernels;
  private boolean inputGradient = true;
  /** Null: patches for a weight gradient without input gradient up to {@link #PATCH_ROWS}; else forced on or off (tests). */
  private Boolean patches;
  private Tensor x;
  private Tensor y;
  private Tensor dx;
  private Tensor dwScratch;

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
    int[] s = weight.shape();
    if (s.length != 4 || s[2] != s[3]) {
      throw new IllegalArgumentException("conv2d weight '" + weight.name() + "' must be [out, in, k, k], got " + weight);
    }
    if (bias != null && (bias.shape().length != 1 || bias.shape()[0] != s[0])) {
      throw new IllegalArgumentException("conv2d bias '" + bias.name() + "' must be [" + s[0] + "], got " + bias);
    }
    this.weight = weight;
    this.bias = bias;
    this.out = s[0];
    this.in = s[1];
    this.kernels = new ConvKernels("conv2d '" + weight.name() + "'", s[2], stride, padding);
  }

  /** Skips the input's gradient (its input is data, not a layer's output): backward returns null. */
  public Conv2d withoutInputGradient() {
    inputGradient = false;
    return this;
  }

  /**
   * Whether backward computes the input's gradient, switchable between passes: a GAN's
   * discriminator needs its images' gradient in the generator's step only (every shard must
   * switch alike).
   */
  public void setInputGradient(boolean on) {
    inputGradient = on;
  }

  /** Forces the im2col weight gradient on or off, whatever the channels and gradients (for tests and measurements). */
  Conv2d usePatches(boolean on) {
    patches = on;
    return this;
  }

  public Param weight() {
    return weight;
  }

  public Param bias() {
    return bias;
  }

  @Override
  public Tensor forward(StepContext ctx, Tensor x) {
    if (x.rank() != 4 || x.dim(1) != in || kernels.convOut(x.dim(2)) < 1 || kernels.convOut(x.dim(3)) < 1) {
      throw new IllegalArgumentException("conv2d '" + weight.name() + "' takes [N, " + in + ", H, W] with H, W >= "
          + (kernels.kernel - 2 * kernels.padding) + ", got " + x);
    }
    this.x = x;
    y = Tensor.ensure(y, x.dim(0), out, kernels.convOut(x.dim(2)), kernels.convOut(x.dim(3)));
    if (x.length() > 0) {
      kernels.conv2d(x, weight.value(), bias == null ? null : bias.value(), y);
    }
    return y;
  }

  @Override
  public Tensor backward(StepContext ctx, Tensor dy) {
    if (x == null) {
      throw new IllegalStateException("conv2d '" + weight.name() + "': backward before forward");
    }
    if (!dy.sameShape(y)) {
      throw new IllegalArgumentException("conv2d '" + weight.name() + "': output gradient must be " + y + ", got " + dy);
    }
    if (inputGradient) {
      dx = Tensor.ensure(dx, x.shape());
    }
    if (x.dim(0) == 0) {
      return inputGradient ? dx : null;
    }
    if (bias != null && bias.requiresGrad()) {
      kernels.addBiasGradient(dy, bias.grad());
    }
    boolean weights = weight.requiresGrad();
    boolean byPatches = patches != null ? patches
        : !inputGradient && in * kernels.kernel * kernels.kernel <= PATCH_ROWS;
    // deconv2d gives back exactly x's size only when no input row or column was left over by the strides.
    boolean exact = kernels.transposedOut(y.dim(2)) == x.dim(2) && kernels.transposedOut(y.dim(3)) == x.dim(3);
    if (weights && byPatches) {
      kernels.addWeightGradientByPatches(x, dy, weight.grad());
      weights = false;
    }
    if (weights || (inputGradient && !exact)) {
      // Both gradients in one oneDNN call; a gradient not wanted lands in scratch (dx, dwScratch).
      dwScratch = Tensor.ensure(dwScratch, weight.shape());
      dx = Tensor.ensure(dx, x.shape());
      kernels.conv2dBackprop(x, weight.value(), dy, dx, dwScratch);
      if (weights) {
        weight.grad().add(dwScratch);
      }
    } else if (inputGradient) {
      kernels.deconv2d(dy, weight.value(), null, dx);
    }
    return inputGradient ? dx : null;
  }

  @Override
  public List<Param> params() {
    List<Param> p = new ArrayList<>(List.of(weight));
    if (bias != null) {
      p.add(bias);
    }
    return p;
  }
}
