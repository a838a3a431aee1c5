package org.genai4j.common.ops;

import java.util.ArrayList;
import java.util.List;

/**
 * PyTorch's {@code nn.ConvTranspose2d} with a square kernel (no output padding, no dilation):
 * {@code [N, in, H, W] -> [N, out, H', W']}, {@code H' = (H - 1) stride + kernel - 2 padding}
 * (kernel 4, stride 2, padding 1 doubles the size), weight {@code [in, out, k, k]} (PyTorch's
 * layout), optional bias {@code [out]}. A DCGAN generator's upsampling layer.
 *
 * <p>The forward pass is libnd4j's (oneDNN) {@code deconv2d} run directly on the tensors, except
 * for few output channels ({@code out k k <= }{@value Conv2d#PATCH_ROWS}: a generator's or a VAE
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
 *       out k k <= }{@value Conv2d#PATCH_ROWS}): one gemm per image over the output gradient's
 *       patches (im2col in Java), measured at 0.3-0.7x of {@code deconv2d_bp} for 1-8 channels.
 * </ul>
 * The bias gradient is two BLAS products with ones.
 */
public final class ConvTranspose2d implements Layer {
  private final Param weight;
  private final Param bias;
  private final int in;
  private final int out;
  private final ConvKernels kernels;
  private boolean inputGradient = true;
  private Boolean patches;
  private Tensor x;
  private Tensor y;
  private Tensor dx;
  private Tensor dwScratch;

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
    int[] s = weight.shape();
    if (s.length != 4 || s[2] != s[3]) {
      throw new IllegalArgumentException("conv_transpose2d weight '" + weight.name() + "' must be [in, out, k, k], got "
          + weight);
    }
    if (bias != null && (bias.shape().length != 1 || bias.shape()[0] != s[1])) {
      throw new IllegalArgumentException("conv_transpose2d bias '" + bias.name() + "' must be [" + s[1] + "], got "
          + bias);
    }
    this.weight = weight;
    this.bias = bias;
    this.in = s[0];
    this.out = s[1];
    this.kernels = new ConvKernels("conv_transpose2d '" + weight.name() + "'", s[2], stride, padding);
  }

  /** Skips the input's gradient (its input is data, e.g. noise): backward returns null. */
  public ConvTranspose2d withoutInputGradient() {
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

  /**
   * Forces the Java kernels (forward by columns, weight gradient by patches) on or off, whatever
   * the channels and gradients (for tests and measurements).
   */
  ConvTranspose2d usePatches(boolean on) {
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
    if (x.rank() != 4 || x.dim(1) != in || x.dim(2) < 1 || x.dim(3) < 1 || kernels.transposedOut(x.dim(2)) < 1) {
      throw new IllegalArgumentException("conv_transpose2d '" + weight.name() + "' takes [N, " + in
          + ", H, W] with H, W >= 1, got " + x);
    }
    this.x = x;
    y = Tensor.ensure(y, x.dim(0), out, kernels.transposedOut(x.dim(2)), kernels.transposedOut(x.dim(3)));
    if (x.length() > 0) {
      if (patches != null ? patches : fewOutputs()) {
        kernels.deconv2dByColumns(x, weight.value(), bias == null ? null : bias.value(), y);
      } else {
        kernels.deconv2d(x, weight.value(), bias == null ? null : bias.value(), y);
      }
    }
    return y;
  }

  @Override
  public Tensor backward(StepContext ctx, Tensor dy) {
    if (x == null) {
      throw new IllegalStateException("conv_transpose2d '" + weight.name() + "': backward before forward");
    }
    if (!dy.sameShape(y)) {
      throw new IllegalArgumentException("conv_transpose2d '" + weight.name() + "': output gradient must be " + y
          + ", got " + dy);
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
    boolean byPatches = patches != null ? patches : !inputGradient && fewOutputs();
    if (weights && byPatches) {
      // The weight gradient of a convolution from dy's space to x's with these weights.
      kernels.addWeightGradientByPatches(dy, x, weight.grad());
      weights = false;
    }
    if (weights) {
      dwScratch = Tensor.ensure(dwScratch, weight.shape());
      // Both gradients in one call; when the input's is not wanted it lands in dx as scratch.
      dx = Tensor.ensure(dx, x.shape());
      kernels.deconv2dBackprop(x, weight.value(), dy, dx, dwScratch);
      weight.grad().add(dwScratch);
    } else if (inputGradient) {
      kernels.conv2d(dy, weight.value(), null, dx);
    }
    return inputGradient ? dx : null;
  }

  /** Whether a patch of the output ({@code out k k} values) is small: an image's few channels. */
  private boolean fewOutputs() {
    return out * kernels.kernel * kernels.kernel <= Conv2d.PATCH_ROWS;
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
