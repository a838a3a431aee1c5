package org.genai4j.common.nn;

/**
 * Training-mode batch normalization over {@code [N, C, spatial]} data in a {@code float[]} (NCHW
 * with H*W flattened), fused with a (leaky) ReLU, forward and backward in two passes each: what
 * {@link ConvLayers#batchNorm} in training mode followed by a ReLU computes, including the
 * gradient through the batch mean and variance. Statistics accumulate in double.
 *
 * <p>{@code y = act(gamma (x - mean) / sqrt(var + eps) + beta)} with the batch's mean and biased
 * variance per channel, {@code act(v) = v > 0 ? v : slope v} (slope 0: ReLU, 1: none; slope must
 * be in [0, 1]). The loops are branch-free (the activation's sign decides by min/max arithmetic, not a
 * jump, which mispredicts half the time on such data), walk the data image by image so memory is
 * read in order, and accumulate in independent chains.
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
    double[] sum = new double[channels];
    double[] sumSq = new double[channels];
    addSums(x, first, n, channels, spatial, sum, sumSq);
    statistics(sum, sumSq, (double) n * spatial, eps, mean, var, invStd);
    normalize(x, first, n, channels, spatial, gamma, beta, slope, mean, invStd, xhat, y);
  }

  /**
   * The first phase of {@link #forward} on its own, for a batch split into parts (threads): ADDS
   * the per-channel sums and sums of squares of examples {@code [first, first + n)} to {@code sum}
   * and {@code sumSq}. Once every part's sums are in (added in a fixed order), {@link #statistics}
   * then {@link #normalize} on each part compute exactly what {@link #forward} over the whole batch
   * does, up to the order of the double additions.
   */
  public static void addSums(float[] x, int first, int n, int channels, int spatial, double[] sum, double[] sumSq) {
    // Image by image, as in backward: both passes stream through memory in order.
    for (int i = first; i < first + n; i++) {
      for (int c = 0; c < channels; c++) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, q0 = 0, q1 = 0, q2 = 0, q3 = 0;
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
        sum[c] += s0 + s1 + s2 + s3;
        sumSq[c] += q0 + q1 + q2 + q3;
      }
    }
  }

  /**
   * Per channel, the mean, biased variance and {@code 1/sqrt(var + eps)} of {@code count} values
   * whose sum and sum of squares are given ({@link #addSums}).
   */
  public static void statistics(double[] sum, double[] sumSq, double count, double eps, double[] mean, double[] var,
      float[] invStd) {
    for (int c = 0; c < sum.length; c++) {
      double m = sum[c] / count;
      double v = Math.max(0, sumSq[c] / count - m * m);
      mean[c] = m;
      var[c] = v;
      invStd[c] = (float) (1.0 / Math.sqrt(v + eps));
    }
  }

  /**
   * The last phase of {@link #forward}: normalizes examples {@code [first, first + n)} with the
   * given statistics ({@link #statistics}), writing {@code xhat} and the activation {@code y}.
   */
  public static void normalize(float[] x, int first, int n, int channels, int spatial, float[] gamma, float[] beta,
      float slope, double[] mean, float[] invStd, float[] xhat, float[] y) {
    checkSlope(slope);
    for (int i = first; i < first + n; i++) {
      for (int c = 0; c < channels; c++) {
        int base = (i * channels + c) * spatial;
        float mf = (float) mean[c];
        float is = invStd[c];
        float g = gamma[c];
        float b = beta[c];
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
    double[] sumDy = new double[channels];
    double[] sumDyXhat = new double[channels];
    addGradientSums(dy, y, xhat, first, n, channels, spatial, slope, dx, sumDy, sumDyXhat);
    for (int c = 0; c < channels; c++) {
      dGamma[c] += (float) sumDyXhat[c];
      dBeta[c] += (float) sumDy[c];
    }
    backwardApply(dx, xhat, first, n, channels, spatial, gamma, invStd, sumDy, sumDyXhat, (double) n * spatial);
  }

  /**
   * The first phase of {@link #backward} on its own, for a batch split into parts (threads): writes
   * the activation's gradient {@code dy * act'} to {@code dx} for examples {@code [first, first +
   * n)} and ADDS its per-channel sums and its sums times {@code xhat} to {@code sumDy} and {@code
   * sumDyXhat} (which are also the shift's and the gain's gradients). Once every part's sums are in,
   * {@link #backwardApply} on each part completes {@link #backward}.
   */
  public static void addGradientSums(float[] dy, float[] y, float[] xhat, int first, int n, int channels, int spatial,
      float slope, float[] dx, double[] sumDy, double[] sumDyXhat) {
    checkSlope(slope);
    float rest = 1 - slope;
    // Image by image, channel by channel: both passes stream through memory in order (a channel
    // at a time would jump between images and wait on cache misses).
    for (int i = first; i < first + n; i++) {
      for (int c = 0; c < channels; c++) {
        int base = (i * channels + c) * spatial;
        int end = base + spatial;
        // The activation's derivative first, in a loop of its own that the JIT vectorizes ...
        for (int p = base; p < end; p++) {
          dx[p] = dy[p] * (slope + rest * step(y[p]));
        }
        // ... then the two sums in eight float chains per row (short rows: float is exact enough).
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0, t0 = 0, t1 = 0, t2 = 0, t3 = 0;
        int p = base;
        for (; p + 3 < end; p += 4) {
          float a = dx[p], b = dx[p + 1], cc = dx[p + 2], d = dx[p + 3];
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
          s0 += dx[p];
          t0 += dx[p] * xhat[p];
        }
        sumDy[c] += (double) s0 + s1 + s2 + s3;
        sumDyXhat[c] += (double) t0 + t1 + t2 + t3;
      }
    }
  }

  /**
   * The last phase of {@link #backward}: turns {@code dx} (the activation's gradient from {@link
   * #addGradientSums}) into the input's gradient for examples {@code [first, first + n)}, given the
   * whole batch's sums over {@code count} values.
   */
  public static void backwardApply(float[] dx, float[] xhat, int first, int n, int channels, int spatial,
      float[] gamma, float[] invStd, double[] sumDy, double[] sumDyXhat, double count) {
    float[] k = new float[channels];
    float[] meanDy = new float[channels];
    float[] meanDyXhat = new float[channels];
    for (int c = 0; c < channels; c++) {
      k[c] = gamma[c] * invStd[c];
      meanDy[c] = (float) (sumDy[c] / count);
      meanDyXhat[c] = (float) (sumDyXhat[c] / count);
    }
    for (int i = first; i < first + n; i++) {
      for (int c = 0; c < channels; c++) {
        int base = (i * channels + c) * spatial;
        float kc = k[c];
        float md = meanDy[c];
        float mx = meanDyXhat[c];
        for (int p = base; p < base + spatial; p++) {
          dx[p] = kc * (dx[p] - md - xhat[p] * mx);
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
      grad[p] *= slope + rest * step(activation[p]);
    }
  }

  /**
   * 1 when {@code v > 0}, else 0, with min/max only (which the JIT vectorizes): {@code v * MAX_VALUE}
   * is at least 1 for every positive float down to 3e-39 (only smaller subnormals give a fraction).
   */
  static float step(float v) {
    return Math.min(1f, Math.max(0f, v * Float.MAX_VALUE));
  }

  private static void checkSlope(float slope) {
    if (!(slope >= 0 && slope <= 1)) {
      throw new IllegalArgumentException("activation slope must be in [0, 1], got " + slope);
    }
  }
}
