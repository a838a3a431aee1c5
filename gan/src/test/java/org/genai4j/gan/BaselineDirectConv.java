package org.genai4j.gan;

import org.genai4j.common.nn.NativeFloats;

// A frozen copy of common DirectConv as of main 32ffbd7, for KernelAbBench only.

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
 * overwritten. Not thread-safe: {@link #conv2dWeightGradient} keeps scratch buffers.
 */
final class BaselineDirectConv {
  private final Conv2DConfig convConfig;
  private final DeConv2DConfig deconvConfig;
  private final long[] convArgs;
  private final long[] deconvArgs;
  private final int kernel;
  private final int stride;
  private final int padding;
  // Scratch for conv2dWeightGradient, grown as needed.
  private float[] xScratch = new float[0];
  private float[] gradScratch = new float[0];
  private float[] colScratch = new float[0];
  private float[] gradTScratch = new float[0];

  /** Kernels for a square {@code kernel} with the given {@code stride} and {@code padding}. */
  BaselineDirectConv(int kernel, int stride, int padding) {
    if (kernel < 1 || stride < 1 || padding < 0) {
      throw new IllegalArgumentException("DirectConv needs kernel, stride >= 1 and padding >= 0, got kernel="
          + kernel + " stride=" + stride + " padding=" + padding);
    }
    this.kernel = kernel;
    this.stride = stride;
    this.padding = padding;
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

  /**
   * The gradient of {@link #conv2d}'s weights alone ({@code [k, k, in, out]}), as one gemm over
   * the input's patches (im2col in Java): for an input with few channels (an image) this is several
   * times cheaper than {@link #conv2dBackprop}, which also computes the input's gradient. The same
   * call gives a {@link #deconv2d}'s weight gradient with the roles swapped: {@code x} = the
   * deconvolution's output gradient, {@code gradOut} = its input.
   */
  public void conv2dWeightGradient(INDArray x, INDArray gradOut, INDArray gradW) {
    int n = (int) x.size(0);
    int c = (int) x.size(1);
    int h = (int) x.size(2);
    int w = (int) x.size(3);
    int f = (int) gradOut.size(1);
    int ho = (int) gradOut.size(2);
    int wo = (int) gradOut.size(3);
    if (gradOut.size(0) != n || ho != (h + 2 * padding - kernel) / stride + 1 || wo != (w + 2 * padding - kernel) / stride + 1
        || gradW.length() != (long) kernel * kernel * c * f) {
      throw new IllegalArgumentException("conv2dWeightGradient: shapes do not fit: x " + java.util.Arrays.toString(x.shape())
          + ", gradOut " + java.util.Arrays.toString(gradOut.shape()) + ", gradW " + java.util.Arrays.toString(gradW.shape()));
    }
    int rows = n * ho * wo;
    int cols = kernel * kernel * c;
    xScratch = grow(xScratch, (int) x.length());
    gradScratch = grow(gradScratch, (int) gradOut.length());
    colScratch = grow(colScratch, rows * cols);
    gradTScratch = grow(gradTScratch, rows * f);
    float[] xs = NativeFloats.read(x, xScratch, 0);
    float[] gs = NativeFloats.read(gradOut, gradScratch, 0);
    float[] col = colScratch;
    for (int i = 0; i < n; i++) {
      for (int oh = 0; oh < ho; oh++) {
        for (int ow = 0; ow < wo; ow++) {
          int r = ((i * ho + oh) * wo + ow) * cols;
          for (int kh = 0; kh < kernel; kh++) {
            int ih = oh * stride + kh - padding;
            for (int kw = 0; kw < kernel; kw++) {
              int iw = ow * stride + kw - padding;
              int at = r + (kh * kernel + kw) * c;
              boolean inside = ih >= 0 && ih < h && iw >= 0 && iw < w;
              for (int ch = 0; ch < c; ch++) {
                col[at + ch] = inside ? xs[((i * c + ch) * h + ih) * w + iw] : 0f;
              }
            }
          }
        }
      }
    }
    // gradOut [n, f, ho*wo] -> [f, n*ho*wo]: contiguous blocks, no element-wise transpose.
    float[] gt = gradTScratch;
    int spatial = ho * wo;
    for (int i = 0; i < n; i++) {
      for (int o = 0; o < f; o++) {
        System.arraycopy(gs, (i * f + o) * spatial, gt, (o * n + i) * spatial, spatial);
      }
    }
    INDArray colArr = scratchArray(0, rows, cols);
    INDArray gradTArr = scratchArray(1, f, rows);
    INDArray outArr = scratchArray(2, f, cols);
    NativeFloats.write(col, 0, colArr);
    NativeFloats.write(gt, 0, gradTArr);
    Nd4j.gemm(gradTArr, colArr, outArr, false, false, 1.0, 0.0);
    // [k*k*c, f] is gradW's [k, k, c, f] memory layout.
    gradW.reshape('c', cols, f).assign(outArr.transpose());
  }

  private final INDArray[] scratch = new INDArray[3];

  private INDArray scratchArray(int slot, int rows, int cols) {
    INDArray a = scratch[slot];
    if (a == null || a.size(0) != rows || a.size(1) != cols) {
      a = Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, rows, cols);
      scratch[slot] = a;
    }
    return a;
  }

  private static float[] grow(float[] a, int n) {
    return a.length >= n ? a : new float[n];
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
