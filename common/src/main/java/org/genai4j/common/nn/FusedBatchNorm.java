package org.genai4j.common.nn;

/**
 * Training-mode batch normalization over {@code [N, C, spatial]} data in a {@code float[]} (NCHW
 * with H*W flattened), fused with a (leaky) ReLU, forward and backward in one pass each: what
 * {@link ConvLayers#batchNorm} in training mode followed by a ReLU computes, including the
 * gradient through the batch mean and variance. Statistics accumulate in double.
 *
 * <p>{@code y = act(gamma (x - mean) / sqrt(var + eps) + beta)} with the batch's mean and biased
 * variance per channel, {@code act(v) = v > 0 ? v : slope v} (slope 0: ReLU, 1: none).
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
    double count = (double) n * spatial;
    for (int c = 0; c < channels; c++) {
      double sum = 0;
      for (int i = first; i < first + n; i++) {
        int base = (i * channels + c) * spatial;
        for (int p = 0; p < spatial; p++) {
          sum += x[base + p];
        }
      }
      double m = sum / count;
      double sq = 0;
      for (int i = first; i < first + n; i++) {
        int base = (i * channels + c) * spatial;
        for (int p = 0; p < spatial; p++) {
          double d = x[base + p] - m;
          sq += d * d;
        }
      }
      double v = sq / count;
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
          y[p] = o > 0 ? o : slope * o;
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
    double count = (double) n * spatial;
    for (int c = 0; c < channels; c++) {
      double sumDy = 0;
      double sumDyXhat = 0;
      for (int i = first; i < first + n; i++) {
        int base = (i * channels + c) * spatial;
        for (int p = base; p < base + spatial; p++) {
          float d = y[p] > 0 ? dy[p] : slope * dy[p];
          sumDy += d;
          sumDyXhat += d * xhat[p];
        }
      }
      dGamma[c] += (float) sumDyXhat;
      dBeta[c] += (float) sumDy;
      float k = gamma[c] * invStd[c];
      float meanDy = (float) (sumDy / count);
      float meanDyXhat = (float) (sumDyXhat / count);
      for (int i = first; i < first + n; i++) {
        int base = (i * channels + c) * spatial;
        for (int p = base; p < base + spatial; p++) {
          float d = y[p] > 0 ? dy[p] : slope * dy[p];
          dx[p] = k * (d - meanDy - xhat[p] * meanDyXhat);
        }
      }
    }
  }
}
