package org.genai4j.common.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.DeConv2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.DeConv2DConfig;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The libnd4j convolution kernels that {@link ConvLayers#conv2d} and {@link ConvLayers#deconv2d}
 * put in a SameDiff graph, called directly on arrays (NCHW, square kernel, the same weight
 * layouts), writing into caller-owned output arrays. A hand-written training step uses them to get
 * the same (oneDNN) kernels without SameDiff's per-op session bookkeeping and allocations.
 *
 * <p>Every output array must have exactly the shape and data type of the result; they are
 * overwritten. Not thread-safe only in the sense that outputs are shared state of the caller.
 */
public final class DirectConv {
  private final Conv2DConfig convConfig;
  private final DeConv2DConfig deconvConfig;
  private final long[] convArgs;
  private final long[] deconvArgs;

  /** Kernels for a square {@code kernel} with the given {@code stride} and {@code padding}. */
  public DirectConv(int kernel, int stride, int padding) {
    if (kernel < 1 || stride < 1 || padding < 0) {
      throw new IllegalArgumentException("DirectConv needs kernel, stride >= 1 and padding >= 0, got kernel="
          + kernel + " stride=" + stride + " padding=" + padding);
    }
    convConfig = Conv2DConfig.builder().kH(kernel).kW(kernel).sH(stride).sW(stride).pH(padding).pW(padding)
        .dataFormat(Conv2DConfig.NCHW).build();
    deconvConfig = DeConv2DConfig.builder().kH(kernel).kW(kernel).sH(stride).sW(stride).pH(padding).pW(padding)
        .dataFormat(DeConv2DConfig.NCHW).build();
    convArgs = new Conv2D(new INDArray[0], new INDArray[0], convConfig).iArgs().clone();
    deconvArgs = new DeConv2D(new INDArray[0], new INDArray[0], deconvConfig).iArgs().clone();
  }

  /** {@code out = conv2d(x, w) (+ b)}; w is {@code [k, k, in, out]}, b {@code [out]} or null. */
  public void conv2d(INDArray x, INDArray w, INDArray b, INDArray out) {
    exec("conv2d", convArgs, inputs(x, w, b, null), new INDArray[] {out});
  }

  /**
   * Gradients of {@link #conv2d} given {@code gradOut}: into {@code gradX}, {@code gradW} and, when
   * {@code b} is not null, {@code gradB}.
   */
  public void conv2dBackprop(INDArray x, INDArray w, INDArray b, INDArray gradOut, INDArray gradX, INDArray gradW,
      INDArray gradB) {
    INDArray[] outs = b == null ? new INDArray[] {gradX, gradW} : new INDArray[] {gradX, gradW, gradB};
    exec("conv2d_bp", convArgs, inputs(x, w, b, gradOut), outs);
  }

  /** {@code out = deconv2d(x, w) (+ b)}; w is {@code [k, k, out, in]}, b {@code [out]} or null. */
  public void deconv2d(INDArray x, INDArray w, INDArray b, INDArray out) {
    exec("deconv2d", deconvArgs, inputs(x, w, b, null), new INDArray[] {out});
  }

  /** Gradients of {@link #deconv2d} given {@code gradOut}, as {@link #conv2dBackprop}. */
  public void deconv2dBackprop(INDArray x, INDArray w, INDArray b, INDArray gradOut, INDArray gradX, INDArray gradW,
      INDArray gradB) {
    INDArray[] outs = b == null ? new INDArray[] {gradX, gradW} : new INDArray[] {gradX, gradW, gradB};
    exec("deconv2d_bp", deconvArgs, inputs(x, w, b, gradOut), outs);
  }

  /**
   * The gradient of {@link #conv2d}'s input alone, as the transposed convolution of {@code gradOut}
   * with the same weights (a conv2d's {@code [k, k, in, out]} weights are a deconv2d's {@code [k,
   * k, out', in']} with the roles swapped): half the work of {@link #conv2dBackprop} when the
   * weights' gradient is not wanted. Exact when the input size is {@code (out - 1) stride + k - 2 pad}.
   */
  public void conv2dInputGradient(INDArray w, INDArray gradOut, INDArray gradX) {
    deconv2d(gradOut, w, null, gradX);
  }

  private static INDArray[] inputs(INDArray x, INDArray w, INDArray b, INDArray grad) {
    int n = 2 + (b == null ? 0 : 1) + (grad == null ? 0 : 1);
    INDArray[] in = new INDArray[n];
    int i = 0;
    in[i++] = x;
    in[i++] = w;
    if (b != null) {
      in[i++] = b;
    }
    if (grad != null) {
      in[i] = grad;
    }
    return in;
  }

  private static void exec(String op, long[] iArgs, INDArray[] in, INDArray[] out) {
    DynamicCustomOp o = new DynamicCustomOp(op, in, out);
    o.addIArgument(iArgs);
    Nd4j.exec(o);
  }
}
