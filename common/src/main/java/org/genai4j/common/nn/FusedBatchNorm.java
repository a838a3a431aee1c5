package org.genai4j.common.nn;

/**
 * Training-mode batch normalization over {@code [N, C, spatial]} data in a {@code float[]} (NCHW
 * with H*W flattened), fused with a (leaky) ReLU, forward and backward in two passes each: what
 * {@link ConvLayers#batchNorm} in training mode followed by a ReLU computes, including the
 * gradient through the batch mean and variance. Statistics accumulate in double.
 *
 * <p>{@code y = act(gamma (x - mean) / sqrt(var + eps) + beta)} with the batch's mean and biased
 * variance per channel, {@code act(v) = v > 0 ? v : slope v} (slope 0: ReLU, 1: none; slope must
 * be in [0, 1]). The loops are branch-free (the activation's sign decides by bit arithmetic, not a
 * jump, which mispredicts half the time on such data) and accumulate in four independent chains.
 */
public final class FusedBatchNorm {
  private FusedBatchNorm() {}

  /**
   * Forward pass over the {@code n} examples starting at example {@code first} of {@code x}.
   * Writes the normalized input to {@code xhat}, the activation to {@code y} (same indexing as
   * {@code x}), and per channel the batch mean, biased variance and {@code 1/sqrt(var + eps)}.
   */
  public static void forward(float[] x, int first, int n, int channels, int spatial, float[] gamma, float[] beta,
      double eps, float slope, float[] xhat, float[] y, double[] mean, double[] var, float[] invStd) {
    checkSlope(slope);
    double count = (double) n * spatial;
    for (int c = 0; c < channels; c++) {
      double s0 = 0, s1 = 0, s2 = 0, s3 = 0, q0 = 0, q1 = 0, q2 = 0, q3 = 0;
      for (int i = first; i < first + n; i++) {
        int p = (i * channels + c) * spatial;
        int end = p + spatial;
        for (; p + 3 < end; p += 4) {
          double a = x[p], b = x[p + 1], cc = x[p + 2], d = x[p + 3];
          s0 += a;
          s1 += b;
          s2 += cc;
          s3 += d;
          q0 += a * a;
          q1 += b * b;
          q2 += cc * cc;
          q3 += d * d;
        }
        for (; p < end; p++) {
          double a = x[p];
          s0 += a;
          q0 += a * a;
        }
      }
      double m = (s0 + s1 + s2 + s3) / count;
      double v = Math.max(0, (q0 + q1 + q2 + q3) / count - m * m);
      mean[c] = m;
      var[c] = v;
      float is = (float) (1.0 / Math.sqrt(v + eps));
      invStd[c] = is;
      float mf = (float) m;
      float g = gamma[c];
      float b = beta[c];
      for (int i = first; i < first + n; i++) {
        int base = (i * channels + c) * spatial;
        for (int p = base; p < base + spatial; p++) {
          float h = (x[p] - mf) * is;
          xhat[p] = h;
          float o = g * h + b;
          y[p] = Math.max(o, slope * o);
        }
      }
    }
  }

  /**
   * Backward pass of {@link #forward} over the same examples: from the gradient {@code dy} of the
   * activation and the activation {@code y} itself (its sign gives the (leaky) ReLU's derivative),
   * writes the input gradient to {@code dx} and ADDS the gain and shift gradients to {@code
   * dGamma} and {@code dBeta}. {@code dx} may be {@code dy}.
   */
  public static void backward(float[] dy, float[] y, float[] xhat, int first, int n, int channels, int spatial,
      float[] gamma, float[] invStd, float slope, float[] dx, float[] dGamma, float[] dBeta) {
    checkSlope(slope);
    double count = (double) n * spatial;
    float rest = 1 - slope;
    for (int c = 0; c < channels; c++) {
      double s0 = 0, s1 = 0, s2 = 0, s3 = 0, t0 = 0, t1 = 0, t2 = 0, t3 = 0;
      for (int i = first; i < first + n; i++) {
        int p = (i * channels + c) * spatial;
        int end = p + spatial;
        for (; p + 3 < end; p += 4) {
          float a = dy[p] * (slope + rest * positive(y[p]));
          float b = dy[p + 1] * (slope + rest * positive(y[p + 1]));
          float cc = dy[p + 2] * (slope + rest * positive(y[p + 2]));
          float d = dy[p + 3] * (slope + rest * positive(y[p + 3]));
          dx[p] = a;
          dx[p + 1] = b;
          dx[p + 2] = cc;
          dx[p + 3] = d;
          s0 += a;
          s1 += b;
          s2 += cc;
          s3 += d;
          t0 += a * xhat[p];
          t1 += b * xhat[p + 1];
          t2 += cc * xhat[p + 2];
          t3 += d * xhat[p + 3];
        }
        for (; p < end; p++) {
          float a = dy[p] * (slope + rest * positive(y[p]));
          dx[p] = a;
          s0 += a;
          t0 += a * xhat[p];
        }
      }
      double sumDy = s0 + s1 + s2 + s3;
      double sumDyXhat = t0 + t1 + t2 + t3;
      dGamma[c] += (float) sumDyXhat;
      dBeta[c] += (float) sumDy;
      float k = gamma[c] * invStd[c];
      float meanDy = (float) (sumDy / count);
      float meanDyXhat = (float) (sumDyXhat / count);
      for (int i = first; i < first + n; i++) {
        int base = (i * channels + c) * spatial;
        for (int p = base; p < base + spatial; p++) {
          dx[p] = k * (dx[p] - meanDy - xhat[p] * meanDyXhat);
        }
      }
    }
  }

  /** (Leaky) ReLU in place over {@code x[from, to)}: {@code x > 0 ? x : slope x}, slope in [0, 1]. */
  public static void activate(float[] x, float[] out, int from, int to, float slope) {
    checkSlope(slope);
    for (int p = from; p < to; p++) {
      float o = x[p];
      out[p] = Math.max(o, slope * o);
    }
  }

  /** {@code grad *= (activation > 0 ? 1 : slope)} over {@code [from, to)}, from the activation's output. */
  public static void activateBackward(float[] grad, float[] activation, int from, int to, float slope) {
    checkSlope(slope);
    float rest = 1 - slope;
    for (int p = from; p < to; p++) {
      grad[p] *= slope + rest * positive(activation[p]);
    }
  }

  /** 1 when {@code v > 0}, else 0 (also for -0 and NaN's sign-bit forms), without a branch. */
  static int positive(float v) {
    int bits = Float.floatToRawIntBits(v);
    return ((-bits) & ~bits) >>> 31;
  }

  private static void checkSlope(float slope) {
    if (!(slope >= 0 && slope <= 1)) {
      throw new IllegalArgumentException("activation slope must be in [0, 1], got " + slope);
    }
  }
}
