package org.genai4j.common.ops;

import java.util.List;

/**
 * What {@link Conv2d} and {@link ConvTranspose2d} share: square-kernel NCHW convolutions whose
 * forward and backward passes run libnd4j's (oneDNN) kernels or the Java im2col paths of {@link
 * ConvKernels}, and a backward pass that does only the work asked for:
 * <ul>
 *   <li>weight gradient only, with small patches (an image's few channels on the data side): one
 *       gemm per image over patches ({@link #weightGradientByPatches});
 *   <li>both gradients: the op's {@code _bp} kernel in one call, the weight gradient into scratch
 *       and then added, since gradients accumulate ({@link #bothGradients});
 *   <li>input gradient only (frozen weights, a GAN's generator step through D): the op's mirror
 *       kernel ({@link #inputGradientAlone}), half the work.
 * </ul>
 * The bias gradient is two BLAS products with ones. Subclasses say which kernel does what.
 */
abstract class ConvLayer implements Layer {
  /** The im2col paths are used up to this many patch rows ({@code channels * kernel * kernel}). */
  static final int PATCH_ROWS = 128;

  final String what;
  final Param weight;
  final Param bias;
  final int in;
  final int out;
  final ConvKernels kernels;
  private boolean inputGradient = true;
  /** Null: the Java kernels where patches are small; else forced on or off (tests, measurements). */
  private Boolean patches;
  private Tensor x;
  private Tensor y;
  private Tensor dx;
  private Tensor dwScratch;

  /**
   * {@code what} names the op in messages ("conv2d"); {@code weight} is {@code [a, b, k, k]} with
   * {@code in, out} read from it by the subclass; {@code bias} is {@code [out]} or null.
   */
  ConvLayer(String what, String layout, Param weight, Param bias, int inDim, int outDim, int stride, int padding) {
    int[] s = weight.shape();
    if (s.length != 4 || s[2] != s[3]) {
      throw new IllegalArgumentException(what + " weight '" + weight.name() + "' must be " + layout + ", got " + weight);
    }
    int o = s[outDim];
    if (bias != null && (bias.shape().length != 1 || bias.shape()[0] != o)) {
      throw new IllegalArgumentException(what + " bias '" + bias.name() + "' must be [" + o + "], got " + bias);
    }
    this.what = what + " '" + weight.name() + "'";
    this.weight = weight;
    this.bias = bias;
    this.in = s[inDim];
    this.out = o;
    this.kernels = new ConvKernels(this.what, s[2], stride, padding);
  }

  /** The output's height or width for an input's. */
  abstract int outputSize(int size);

  /** Whether the Java im2col kernels pay here (the data side's patches are small). */
  abstract boolean smallPatches();

  /** {@code y = op(x, w) + b}. */
  abstract void runForward(Tensor x, Tensor w, Tensor b, boolean javaKernel, Tensor y);

  /** Adds the weight gradient, by patches, into {@code dw}. */
  abstract void weightGradientByPatches(Tensor x, Tensor dy, Tensor dw);

  /** Both gradients in one kernel call (overwriting {@code dx} and {@code dw}). */
  abstract void bothGradients(Tensor x, Tensor w, Tensor dy, Tensor dx, Tensor dw);

  /** Whether {@link #inputGradientAlone} gives back exactly {@code x}'s shape. */
  abstract boolean inputGradientAloneFits(Tensor x, Tensor y);

  /** The input gradient alone, by the mirror kernel (overwriting {@code dx}). */
  abstract void inputGradientAlone(Tensor w, Tensor dy, Tensor dx);

  /**
   * Whether backward computes the input's gradient, switchable between passes: a GAN's
   * discriminator needs its images' gradient in the generator's step only (every shard must
   * switch alike).
   */
  public void setInputGradient(boolean on) {
    inputGradient = on;
  }

  /** Forces the Java kernels on or off, whatever the channels and gradients (tests and measurements). */
  void forcePatches(boolean on) {
    patches = on;
  }

  public Param weight() {
    return weight;
  }

  public Param bias() {
    return bias;
  }

  @Override
  public Tensor forward(StepContext ctx, Tensor x) {
    if (x.rank() != 4 || x.dim(1) != in || x.dim(2) < 1 || x.dim(3) < 1 || outputSize(x.dim(2)) < 1
        || outputSize(x.dim(3)) < 1) {
      throw new IllegalArgumentException(what + " takes [N, " + in + ", H, W] with an output of at least 1 x 1"
          + " (kernel " + kernels.kernel + ", stride " + kernels.stride + ", padding " + kernels.padding + "), got " + x);
    }
    this.x = x;
    y = Tensor.ensure(y, x.dim(0), out, outputSize(x.dim(2)), outputSize(x.dim(3)));
    if (x.length() > 0) {
      runForward(x, weight.value(), bias == null ? null : bias.value(), patches != null ? patches : smallPatches(), y);
    }
    return y;
  }

  @Override
  public Tensor backward(StepContext ctx, Tensor dy) {
    if (x == null) {
      throw new IllegalStateException(what + ": backward before forward");
    }
    if (!dy.sameShape(y)) {
      throw new IllegalArgumentException(what + ": output gradient must be " + y + ", got " + dy);
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
    if (weights && (patches != null ? patches : !inputGradient && smallPatches())) {
      weightGradientByPatches(x, dy, weight.grad());
      weights = false;
    }
    if (weights || (inputGradient && !inputGradientAloneFits(x, y))) {
      // Both gradients in one call, which overwrites its outputs: straight into the weight's
      // gradient when that is still zero this step, else into scratch and added (as is a gradient
      // not wanted at all).
      boolean direct = weights && weight.gradBeta() == 0f;
      dwScratch = direct ? dwScratch : Tensor.ensure(dwScratch, weight.shape());
      dx = Tensor.ensure(dx, x.shape());
      bothGradients(x, weight.value(), dy, dx, direct ? weight.grad() : dwScratch);
      if (weights && !direct) {
        weight.grad().add(dwScratch);
      }
    } else if (inputGradient) {
      inputGradientAlone(weight.value(), dy, dx);
    }
    return inputGradient ? dx : null;
  }

  @Override
  public List<Param> params() {
    return Param.list(weight, bias);
  }
}
