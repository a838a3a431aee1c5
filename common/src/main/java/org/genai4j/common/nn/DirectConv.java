package org.genai4j.common.nn;

import org.bytedeco.javacpp.FloatPointer;
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
 * overwritten. Not thread-safe: {@link #conv2dWeightGradient} keeps scratch buffers, so threads
 * that each work on a part of a batch use one instance each. The operands may be views of blocks
 * of rows (images) of larger arrays, as long as their elements are contiguous.
 */
public final class DirectConv {
  private final Conv2DConfig convConfig;
  private final DeConv2DConfig deconvConfig;
  private final long[] convArgs;
  private final long[] deconvArgs;
  private final int kernel;
  private final int stride;
  private final int padding;
  // Scratch for conv2dWeightGradient, grown as needed.
  private float[] xScratch = new float[0];
  private float[] colScratch = new float[0];
  private INDArray colArr;

  /** Kernels for a square {@code kernel} with the given {@code stride} and {@code padding}. */
  public DirectConv(int kernel, int stride, int padding) {
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
    backprop("conv2d_bp", convArgs, x, w, b, gradOut, gradX, gradW, gradB);
  }

  /** {@code out = deconv2d(x, w) (+ b)}; w is {@code [k, k, out, in]}, b {@code [out]} or null. */
  public void deconv2d(INDArray x, INDArray w, INDArray b, INDArray out) {
    exec("deconv2d", deconvArgs, inputs(x, w, b, null), new INDArray[] {out});
  }

  /** Gradients of {@link #deconv2d} given {@code gradOut}, as {@link #conv2dBackprop}. */
  public void deconv2dBackprop(INDArray x, INDArray w, INDArray b, INDArray gradOut, INDArray gradX, INDArray gradW,
      INDArray gradB) {
    backprop("deconv2d_bp", deconvArgs, x, w, b, gradOut, gradX, gradW, gradB);
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
    xScratch = grow(xScratch, (int) x.length());
    conv2dWeightGradient(NativeFloats.read(x, xScratch, 0), (int) x.size(0), (int) x.size(1), (int) x.size(2),
        (int) x.size(3), gradOut, gradW);
  }

  /**
   * {@link #conv2dWeightGradient(INDArray, INDArray, INDArray)} with the input given as the
   * {@code float[]} the caller already holds ({@code n} images of {@code c x h x w}, NCHW), which
   * saves reading it back from native memory.
   */
  public void conv2dWeightGradient(float[] x, int n, int c, int h, int w, INDArray gradOut, INDArray gradW) {
    conv2dWeightGradient(x, 0, n, c, h, w, gradOut, gradW);
  }

  /**
   * {@link #conv2dWeightGradient(float[], int, int, int, int, INDArray, INDArray)} over the {@code n}
   * images starting at image {@code first} of {@code x}; {@code gradOut} holds just their output
   * gradients and may be a view of a block of rows (a part of a batch that a thread works on).
   */
  public void conv2dWeightGradient(float[] x, int first, int n, int c, int h, int w, INDArray gradOut,
      INDArray gradW) {
    int f = (int) gradOut.size(1);
    int ho = (int) gradOut.size(2);
    int wo = (int) gradOut.size(3);
    if (first < 0 || x.length < (first + n) * c * h * w || gradOut.size(0) != n || ho != (h + 2 * padding - kernel) / stride + 1
        || wo != (w + 2 * padding - kernel) / stride + 1 || gradW.length() != (long) kernel * kernel * c * f) {
      throw new IllegalArgumentException("conv2dWeightGradient: shapes do not fit: x [" + n + ", " + c + ", " + h + ", "
          + w + "] in " + x.length + " floats, gradOut " + java.util.Arrays.toString(gradOut.shape()) + ", gradW "
          + java.util.Arrays.toString(gradW.shape()));
    }
    int spatial = ho * wo;
    int cols = kernel * kernel * c;
    // Per image, its patches transposed, [k*k*c, spatial]: each row is one kernel tap's input
    // pixels in output order, so the writes run along contiguous memory.
    colScratch = grow(colScratch, n * cols * spatial);
    float[] col = colScratch;
    for (int i = 0; i < n; i++) {
      for (int kh = 0; kh < kernel; kh++) {
        for (int kw = 0; kw < kernel; kw++) {
          for (int ch = 0; ch < c; ch++) {
            int row = (i * cols + (kh * kernel + kw) * c + ch) * spatial;
            int plane = ((first + i) * c + ch) * h * w;
            for (int oh = 0; oh < ho; oh++) {
              int ih = oh * stride + kh - padding;
              int at = row + oh * wo;
              if (ih < 0 || ih >= h) {
                java.util.Arrays.fill(col, at, at + wo, 0f);
                continue;
              }
              int src = plane + ih * w + kw - padding;
              for (int ow = 0; ow < wo; ow++) {
                int iw = ow * stride + kw - padding;
                col[at + ow] = iw >= 0 && iw < w ? x[src + ow * stride] : 0f;
              }
            }
          }
        }
      }
    }
    INDArray colArr = colArray(n * cols, spatial);
    NativeFloats.write(col, 0, colArr);
    // gradW as [k*k*c, f] (its [k, k, c, f] memory) = sum over images of col_i gradOut_i^T, with
    // col_i [k*k*c, spatial] and gradOut_i [f, spatial] read in place: no transposed copies.
    FloatPointer colP = Sgemm.pointer(colArr);
    FloatPointer gradP = Sgemm.blockPointer(gradOut);
    FloatPointer wP = Sgemm.pointer(gradW);
    for (int i = 0; i < n; i++) {
      Sgemm.gemm(false, true, cols, f, spatial, 1f, colP, (long) i * cols * spatial, spatial, gradP,
          (long) i * f * spatial, spatial, i == 0 ? 0f : 1f, wP, 0, f);
    }
  }

  private INDArray colArray(int rows, int cols) {
    if (colArr == null || colArr.size(0) != rows || colArr.size(1) != cols) {
      colArr = Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, rows, cols);
    }
    return colArr;
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

  /** A {@code *_bp} op: gradients of x and w, and of b when there is one. */
  private static void backprop(String op, long[] iArgs, INDArray x, INDArray w, INDArray b, INDArray gradOut,
      INDArray gradX, INDArray gradW, INDArray gradB) {
    INDArray[] outs = b == null ? new INDArray[] {gradX, gradW} : new INDArray[] {gradX, gradW, gradB};
    exec(op, iArgs, inputs(x, w, b, gradOut), outs);
  }

  private static void exec(String op, long[] iArgs, INDArray[] in, INDArray[] out) {
    DynamicCustomOp o = new DynamicCustomOp(op, in, out);
    o.addIArgument(iArgs);
    Nd4j.exec(o);
  }
}
