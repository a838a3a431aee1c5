package org.genai4j.common.ops;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What {@link Conv2d} and {@link ConvTranspose2d} share: libnd4j's convolution kernels ({@code
 * conv2d}, {@code conv2d_bp}, {@code deconv2d}, {@code deconv2d_bp}; oneDNN's in the {@code
 * -onednn} build) called directly on tensors, and the two pieces done in Java and BLAS instead: a
 * weight gradient as one gemm per image over the input's patches (im2col), and a bias gradient as
 * two gemms with vectors of ones.
 *
 * <p>The kernels take their integer arguments as {@code kH, kW, sH, sW, pH, pW, dH, dW, same mode,
 * NHWC, weight format}; weight format 1 is PyTorch's layout: {@code [out, in, k, k]} for {@code
 * conv2d}, {@code [in, out, k, k]} for {@code deconv2d} (in libnd4j 1.0.0-M2.1 both ops and their
 * {@code _bp} accept it, give the same bits as the default {@code [k, k, in, out]} layout on
 * permuted weights, and run as fast). Not thread-safe: each op instance owns one.
 */
final class ConvKernels {
  /** libnd4j's weight format for {@code [out, in, k, k]} (conv2d) and {@code [in, out, k, k]} (deconv2d). */
  private static final long PYTORCH_WEIGHTS = 1;

  final int kernel;
  final int stride;
  final int padding;
  private final long[] args;
  private float[] image = new float[0];
  private float[] columns = new float[0];
  private Tensor columnsTensor;
  private Tensor ones;
  private Tensor planeSums;

  ConvKernels(String what, int kernel, int stride, int padding) {
    if (kernel < 1 || stride < 1 || padding < 0 || padding >= kernel) {
      throw new IllegalArgumentException(what + " needs kernel >= 1, stride >= 1 and 0 <= padding < kernel, got kernel="
          + kernel + " stride=" + stride + " padding=" + padding);
    }
    this.kernel = kernel;
    this.stride = stride;
    this.padding = padding;
    args = new long[] {kernel, kernel, stride, stride, padding, padding, 1, 1, 0, 0, PYTORCH_WEIGHTS};
  }

  /** The output size of a convolution over {@code size} pixels (0 or less when the kernel does not fit). */
  int convOut(int size) {
    return Math.floorDiv(size + 2 * padding - kernel, stride) + 1;
  }

  /** The output size of a transposed convolution over {@code size} pixels. */
  int transposedOut(int size) {
    return (size - 1) * stride + kernel - 2 * padding;
  }

  /** {@code y = conv2d(x, w) (+ b)}, w {@code [out, in, k, k]}, b {@code [out]} or null. */
  void conv2d(Tensor x, Tensor w, Tensor b, Tensor y) {
    exec("conv2d", b == null ? new INDArray[] {x.array(), w.array()} : new INDArray[] {x.array(), w.array(), b.array()},
        new INDArray[] {y.array()});
  }

  /** Gradients of {@link #conv2d} (without bias) given {@code dy}: written to dx and dw. */
  void conv2dBackprop(Tensor x, Tensor w, Tensor dy, Tensor dx, Tensor dw) {
    exec("conv2d_bp", new INDArray[] {x.array(), w.array(), dy.array()}, new INDArray[] {dx.array(), dw.array()});
  }

  /** {@code y = deconv2d(x, w) (+ b)}, w {@code [in, out, k, k]}, b {@code [out]} or null. */
  void deconv2d(Tensor x, Tensor w, Tensor b, Tensor y) {
    exec("deconv2d", b == null ? new INDArray[] {x.array(), w.array()} : new INDArray[] {x.array(), w.array(), b.array()},
        new INDArray[] {y.array()});
  }

  /** Gradients of {@link #deconv2d} (without bias) given {@code dy}: written to dx and dw. */
  void deconv2dBackprop(Tensor x, Tensor w, Tensor dy, Tensor dx, Tensor dw) {
    exec("deconv2d_bp", new INDArray[] {x.array(), w.array(), dy.array()}, new INDArray[] {dx.array(), dw.array()});
  }

  private void exec(String op, INDArray[] in, INDArray[] out) {
    DynamicCustomOp o = new DynamicCustomOp(op, in, out);
    o.addIArgument(args);
    Nd4j.exec(o);
  }

  /**
   * ADDS to {@code dw}, seen as {@code [f, c k k]}, the weight gradient of a convolution (this
   * geometry) of {@code src} ({@code [n, c, h, w]}) whose output gradient is {@code dOut} ({@code
   * [n, f, ho, wo]}): {@code sum_i dOut_i [f, ho wo] @ patches_i^T}, where {@code patches_i} ({@code
   * [c k k, ho wo]}, rows in {@code (c, kh, kw)} order) holds image i's input pixel under each
   * kernel tap for each output pixel. For a convolution with weights {@code [f, c, k, k]} this is
   * its weight gradient; for a transposed convolution with weights {@code [f, c, k, k]} (in = f,
   * out = c), pass its output gradient as {@code src} and its input as {@code dOut}. Costs one
   * Java pass to build the patches and {@code 2 n f c k k ho wo} flops in BLAS: for a few channels
   * on the patch side (an image) several times cheaper than oneDNN's backward, which also computes
   * the input's gradient.
   */
  void addWeightGradientByPatches(Tensor src, Tensor dOut, Tensor dw) {
    int n = src.dim(0);
    int f = dOut.dim(1);
    int spatial = dOut.dim(2) * dOut.dim(3);
    int cols = src.dim(1) * kernel * kernel;
    readImages(src);
    for (int i = 0; i < n; i++) {
      patches(src, i, dOut.dim(2), dOut.dim(3));
      Blas.gemm(false, true, f, cols, spatial, 1f, dOut, i * f * spatial, spatial, columnsTensor, 0, spatial, 1f, dw, 0,
          cols);
    }
  }

  /**
   * {@code y = deconv2d(x, w) (+ b)} for w {@code [c, o, k, k]} by columns, the adjoint of the
   * patches: per image one gemm {@code w^T [o k k, c] @ x_i [c, h w]} gives each input pixel's
   * contribution under each kernel tap, which are then added into the output image (col2im),
   * whose planes start at the bias. For few output channels (a generator's or a VAE decoder's last
   * layer) measured 3-7x faster than oneDNN's kernel, which runs such shapes far below the
   * machine's speed.
   */
  void deconv2dByColumns(Tensor x, Tensor w, Tensor b, Tensor y) {
    int n = x.dim(0);
    int c = x.dim(1);
    int spatial = x.dim(2) * x.dim(3);
    int o = y.dim(1);
    int plane = y.dim(2) * y.dim(3);
    int cols = o * kernel * kernel;
    columns = grow(columns, cols * spatial);
    columnsTensor = Tensor.ensure(columnsTensor, cols * spatial);
    image = grow(image, o * plane);
    float[] bias = new float[o];
    if (b != null) {
      b.read(0, bias, 0, o);
    }
    for (int i = 0; i < n; i++) {
      Blas.gemm(true, false, cols, spatial, c, 1f, w, 0, cols, x, i * c * spatial, spatial, 0f, columnsTensor, 0,
          spatial);
      columnsTensor.read(0, columns, 0, cols * spatial);
      for (int ch = 0; ch < o; ch++) {
        Arrays.fill(image, ch * plane, (ch + 1) * plane, bias[ch]);
      }
      addColumns(columns, o, y.dim(2), y.dim(3), x.dim(2), x.dim(3), image);
      y.write(i * o * plane, image, 0, o * plane);
    }
  }

  /** Copies all of {@code src}'s images into {@link #image}, for {@link #patches}. */
  private void readImages(Tensor src) {
    image = grow(image, src.length());
    src.read(0, image, 0, src.length());
  }

  /**
   * Image {@code i}'s patches (of {@code src}, read into {@link #image}) into {@link
   * #columnsTensor}, transposed: row {@code (ch, kh, kw)} holds that tap's input pixel for every
   * one of the {@code ho x wo} output pixels (0 where the tap falls into the padding).
   */
  private void patches(Tensor src, int i, int ho, int wo) {
    int c = src.dim(1);
    int h = src.dim(2);
    int w = src.dim(3);
    int spatial = ho * wo;
    int plane = h * w;
    int cols = c * kernel * kernel;
    columns = grow(columns, cols * spatial);
    columnsTensor = Tensor.ensure(columnsTensor, cols * spatial);
    float[] x = image;
    float[] col = columns;
    for (int ch = 0; ch < c; ch++) {
      int planeAt = (i * c + ch) * plane;
      for (int kh = 0; kh < kernel; kh++) {
        for (int kw = 0; kw < kernel; kw++) {
          int row = ((ch * kernel + kh) * kernel + kw) * spatial;
          int owLo = firstInside(kw);
          int owHi = endInside(kw, w, wo);
          for (int oh = 0; oh < ho; oh++) {
            int ih = oh * stride + kh - padding;
            int at = row + oh * wo;
            if (ih < 0 || ih >= h || owLo >= owHi) {
              Arrays.fill(col, at, at + wo, 0f);
              continue;
            }
            for (int ow = 0; ow < owLo; ow++) {
              col[at + ow] = 0f;
            }
            int from = planeAt + ih * w + kw - padding;
            for (int ow = owLo; ow < owHi; ow++) {
              col[at + ow] = x[from + ow * stride];
            }
            for (int ow = owHi; ow < wo; ow++) {
              col[at + ow] = 0f;
            }
          }
        }
      }
    }
    columnsTensor.write(0, col, 0, cols * spatial);
  }

  /**
   * The adjoint of {@link #patches} (col2im): adds each entry of {@code col} ({@code [c k k, ho
   * wo]}) into the pixel of {@code out} ({@code [c, h, w]}) that its tap reads.
   */
  private void addColumns(float[] col, int c, int h, int w, int ho, int wo, float[] out) {
    int spatial = ho * wo;
    int plane = h * w;
    for (int ch = 0; ch < c; ch++) {
      int planeAt = ch * plane;
      for (int kh = 0; kh < kernel; kh++) {
        for (int kw = 0; kw < kernel; kw++) {
          int row = ((ch * kernel + kh) * kernel + kw) * spatial;
          int owLo = firstInside(kw);
          int owHi = endInside(kw, w, wo);
          for (int oh = 0; oh < ho; oh++) {
            int ih = oh * stride + kh - padding;
            if (ih < 0 || ih >= h) {
              continue;
            }
            int at = row + oh * wo;
            int to = planeAt + ih * w + kw - padding;
            for (int ow = owLo; ow < owHi; ow++) {
              out[to + ow * stride] += col[at + ow];
            }
          }
        }
      }
    }
  }

  /** ADDS to {@code db} ({@code [f]}) the sums of {@code dy} ({@code [n, f, h, w]}) over images and pixels. */
  void addBiasGradient(Tensor dy, Tensor db) {
    int n = dy.dim(0);
    int f = dy.dim(1);
    int spatial = dy.dim(2) * dy.dim(3);
    Tensor one = ones(Math.max(n, spatial));
    planeSums = Tensor.ensure(planeSums, n * f);
    // Per (image, channel) plane, then per channel over the images: two products with ones.
    Blas.gemm(false, false, n * f, 1, spatial, 1f, dy, 0, spatial, one, 0, 1, 0f, planeSums, 0, 1);
    Blas.gemm(false, false, 1, f, n, 1f, one, 0, n, planeSums, 0, f, 1f, db, 0, f);
  }

  private Tensor ones(int len) {
    if (ones == null || ones.length() < len) {
      ones = Tensor.zeros(len);
      ones.fill(1f);
    }
    return ones;
  }

  private static int ceilDiv(int a, int b) {
    return -Math.floorDiv(-a, b);
  }

  private static float[] grow(float[] a, int n) {
    return a.length >= n ? a : new float[n];
  }

  /** The first output column whose input column (for kernel column {@code kw}) lies inside the image. */
  private int firstInside(int kw) {
    return Math.max(0, ceilDiv(padding - kw, stride));
  }

  /** One past the last output column (of {@code wo}) whose input column lies inside an image {@code w} wide. */
  private int endInside(int kw, int w, int wo) {
    return Math.min(wo, ceilDiv(w + padding - kw, stride));
  }
}
