package org.genai4j.common.nn;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.array.ThreadSafeArrayHolder;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.DeConv2DConfig;

/**
 * SameDiff convolution building blocks for image models, all in NCHW layout ({@code [N, C, H, W]}).
 * Like {@link Layers}, each block creates its parameters as SameDiff variables named {@code
 * <name>/w}, {@code <name>/b}, {@code <name>/gamma}, {@code <name>/beta}, so a model can list them
 * by prefix. Parameters take the data type of the block's input (FLOAT normally, DOUBLE in gradient
 * checks).
 *
 * <p>Initialization: pass {@code std > 0} for N(0, std^2) weights (DCGAN uses 0.02), or {@code
 * std = 0} for PyTorch's default, U(-1/sqrt(fanIn), 1/sqrt(fanIn)). Biases start at zero.
 *
 * <p>Calling a block again with the same name in the same graph reuses its variables (weight
 * sharing), as a GAN applies one discriminator to real and to generated images.
 *
 * <p>Batch norm comes in two modes fixed when the graph is built: training mode normalizes with the
 * batch's statistics and exposes them so the caller can update running statistics; inference mode
 * normalizes with running statistics held as variables {@code <name>/running_mean} and {@code
 * <name>/running_var}. A model that needs both builds two graphs and shares the arrays with
 * {@link #shareVariables}.
 */
public final class ConvLayers {
  private ConvLayers() {}

  /** Standard deviation of DCGAN's N(0, 0.02^2) initialization. */
  public static final double DCGAN_STD = 0.02;

  /** Epsilon added to the variance in batch norm (PyTorch's default). */
  public static final double BN_EPSILON = 1e-5;

  /** Default weight of the new batch statistic in the running averages (PyTorch's 0.1). */
  public static final double BN_MOMENTUM = 0.1;

  /**
   * A 2-D convolution with square kernel: {@code [N, in, H, W] -> [N, out, H', W']}, {@code H' =
   * (H + 2 padding - kernel) / stride + 1}. Weights {@code <name>/w} have shape {@code [kernel,
   * kernel, in, out]}; the bias {@code <name>/b} ({@code [out]}) only when {@code bias}.
   */
  public static SDVariable conv2d(SameDiff sd, String name, SDVariable x, long in, long out,
      int kernel, int stride, int padding, boolean bias, double std) {
    checkGeometry(name, in, out, kernel, stride, padding);
    SDVariable w = param(sd, name + "/w", () -> weights(x, std, in * kernel * kernel, kernel, kernel, in, out));
    Conv2DConfig c = Conv2DConfig.builder()
        .kH(kernel).kW(kernel).sH(stride).sW(stride).pH(padding).pW(padding)
        .dataFormat(Conv2DConfig.NCHW).build();
    return bias
        ? sd.cnn.conv2d(x, w, param(sd, name + "/b", () -> zeros(x, out)), c)
        : sd.cnn.conv2d(x, w, c);
  }

  /**
   * A transposed 2-D convolution ("deconvolution"): {@code [N, in, H, W] -> [N, out, H', W']},
   * {@code H' = (H - 1) stride + kernel - 2 padding} (kernel 4, stride 2, padding 1 doubles the
   * size). Weights {@code <name>/w} have shape {@code [kernel, kernel, out, in]}.
   */
  public static SDVariable deconv2d(SameDiff sd, String name, SDVariable x, long in, long out,
      int kernel, int stride, int padding, boolean bias, double std) {
    checkGeometry(name, in, out, kernel, stride, padding);
    // PyTorch's ConvTranspose2d takes its fan-in from weight.size(1) * k * k = out * k * k.
    SDVariable w = param(sd, name + "/w", () -> weights(x, std, out * kernel * kernel, kernel, kernel, out, in));
    DeConv2DConfig c = DeConv2DConfig.builder()
        .kH(kernel).kW(kernel).sH(stride).sW(stride).pH(padding).pW(padding)
        .dataFormat(DeConv2DConfig.NCHW).build();
    return bias
        ? sd.cnn.deconv2d(x, w, param(sd, name + "/b", () -> zeros(x, out)), c)
        : sd.cnn.deconv2d(x, w, c);
  }

  /**
   * Nearest-neighbour upsampling by {@code scale} followed by a stride-1 "same" convolution with an
   * odd {@code kernel}: an alternative to {@link #deconv2d} without checkerboard artifacts.
   */
  public static SDVariable upsampleConv2d(SameDiff sd, String name, SDVariable x, long in, long out,
      int scale, int kernel, boolean bias, double std) {
    if (kernel % 2 == 0) {
      throw new IllegalArgumentException(name + ": upsampleConv2d needs an odd kernel, got " + kernel);
    }
    SDVariable up = sd.cnn.upsampling2d(x, scale, scale, true);
    return conv2d(sd, name, up, in, out, kernel, 1, kernel / 2, bias, std);
  }

  /**
   * The result of {@link #batchNorm}: the normalized output and, in training mode, the batch mean
   * and (biased) variance per channel ({@code [channels]}), which the caller fetches as outputs to
   * update the running statistics with {@link #updateRunning}. Both are null in inference mode.
   */
  public record BatchNorm(SDVariable output, SDVariable batchMean, SDVariable batchVar) {}

  /**
   * Batch normalization over the channel axis of {@code [N, C, H, W]} (axes 0, 2, 3) or of a
   * {@code [N, C]} input (axis 0): {@code gamma * (x - mean) / sqrt(var + eps) + beta}, with
   * {@code <name>/gamma} (ones) and {@code <name>/beta} (zeros) of shape {@code [C]}. In training
   * mode mean and variance are the batch's and the gradient flows through them; in inference mode
   * they are the variables {@code <name>/running_mean} (zeros) and {@code <name>/running_var}
   * (ones), which are not meant to be trained.
   */
  public static BatchNorm batchNorm(SameDiff sd, String name, SDVariable x, long channels, int rank,
      boolean training) {
    if (rank != 2 && rank != 4) {
      throw new IllegalArgumentException(name + ": batch norm takes rank 2 or 4 input, got rank " + rank);
    }
    long[] bshape = rank == 4 ? new long[] {1, channels, 1, 1} : new long[] {1, channels};
    int[] axes = rank == 4 ? new int[] {0, 2, 3} : new int[] {0};
    SDVariable gamma = param(sd, name + "/gamma", () -> ones(x, channels)).reshape(bshape);
    SDVariable beta = param(sd, name + "/beta", () -> zeros(x, channels)).reshape(bshape);
    if (training) {
      SDVariable mean = x.mean(true, axes);
      SDVariable centered = x.sub(mean);
      SDVariable var = centered.mul(centered).mean(true, axes);
      SDVariable y = centered.mul(sd.math.rsqrt(var.add(BN_EPSILON)).mul(gamma)).add(beta);
      return new BatchNorm(y, mean.reshape(channels), var.reshape(channels));
    }
    SDVariable mean = param(sd, name + "/running_mean", () -> zeros(x, channels)).reshape(bshape);
    SDVariable var = param(sd, name + "/running_var", () -> ones(x, channels)).reshape(bshape);
    SDVariable scale = sd.math.rsqrt(var.add(BN_EPSILON)).mul(gamma);
    return new BatchNorm(x.sub(mean).mul(scale).add(beta), null, null);
  }

  /**
   * Moves running statistics toward a batch's, as PyTorch does: {@code running = (1 - momentum)
   * running + momentum batch}, with the variance made unbiased by {@code count / (count - 1)} where
   * {@code count} is the number of values per channel in the batch ({@code N * H * W}).
   */
  public static void updateRunning(INDArray runningMean, INDArray runningVar, INDArray batchMean,
      INDArray batchVar, long count, double momentum) {
    double unbias = count > 1 ? (double) count / (count - 1) : 1.0;
    runningMean.muli(1 - momentum).addi(batchMean.reshape(runningMean.shape()).mul(momentum));
    runningVar.muli(1 - momentum).addi(batchVar.reshape(runningVar.shape()).mul(momentum * unbias));
  }

  /**
   * Makes every variable of {@code target} that has a same-named variable in {@code source} use
   * the source's array (the same object, not a copy), so updates to one graph's parameters are seen
   * by the other. Returns how many variables were shared.
   */
  public static int shareVariables(SameDiff source, SameDiff target) {
    // SameDiff copies into an existing variable's array instead of replacing it, so the target gets
    // fresh array holders: its own arrays carried over, then the shared names re-pointed.
    ThreadSafeArrayHolder vars = new ThreadSafeArrayHolder(true);
    target.setArrayHolders(vars, new ThreadSafeArrayHolder(true), true);
    int n = 0;
    for (SDVariable v : target.variables()) {
      if (v.getVariableType() != VariableType.VARIABLE) {
        continue;
      }
      SDVariable s = source.getVariable(v.name());
      if (s == null || s.getVariableType() != VariableType.VARIABLE || s.getArr() == null) {
        continue;
      }
      INDArray shared = s.getArr();
      if (!java.util.Arrays.equals(shared.shape(), v.getArr().shape()) || shared.dataType() != v.dataType()) {
        throw new IllegalArgumentException("cannot share variable '" + v.name() + "': "
            + shared.dataType() + java.util.Arrays.toString(shared.shape()) + " vs "
            + v.dataType() + java.util.Arrays.toString(v.getArr().shape()));
      }
      vars.removeArray(v.name());
      vars.setArray(v.name(), shared);
      n++;
    }
    return n;
  }

  private static void checkGeometry(String name, long in, long out, int kernel, int stride, int padding) {
    if (in < 1 || out < 1 || kernel < 1 || stride < 1 || padding < 0) {
      throw new IllegalArgumentException(name + ": need in, out, kernel, stride >= 1 and padding >= 0, got in="
          + in + " out=" + out + " kernel=" + kernel + " stride=" + stride + " padding=" + padding);
    }
  }

  /** The variable {@code name}, created from {@code init} unless the graph already has it. */
  private static SDVariable param(SameDiff sd, String name, java.util.function.Supplier<INDArray> init) {
    return Layers.variable(sd, name, init);
  }


  private static INDArray weights(SDVariable x, double std, long fanIn, long... shape) {
    if (std < 0) {
      throw new IllegalArgumentException("weight std must be >= 0 (0: PyTorch default), got " + std);
    }
    INDArray w = std > 0 ? Init.normal(std, shape) : Init.uniformFanIn(fanIn, shape);
    return w.castTo(x.dataType());
  }

  private static INDArray zeros(SDVariable x, long n) {
    return Init.zeros(n).castTo(x.dataType());
  }

  private static INDArray ones(SDVariable x, long n) {
    return Init.ones(n).castTo(x.dataType());
  }
}
