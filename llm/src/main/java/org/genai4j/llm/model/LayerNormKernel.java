package org.genai4j.llm.model;

/**
 * Layer normalization over the rows of an {@code [n, dim]} matrix, computed as DL4J's
 * {@code layer_norm} op does (GraphOps.layerNorm): population variance and NO epsilon; a row
 * with zero variance normalizes to 0 (DL4J replaces the NaN by 0). Keeps the normalized rows and
 * 1/std for the backward pass.
 */
final class LayerNormKernel {
  private final int rows;
  private final int dim;
  private final float[][] xhat; // per row: loops indexing two arrays at the same index vectorize
  private final float[] rstd;
  private final float[] in;
  private final float[] out;

  LayerNormKernel(int rows, int dim) {
    this.rows = rows;
    this.dim = dim;
    this.xhat = new float[rows][dim];
    this.rstd = new float[rows];
    this.in = new float[dim];
    this.out = new float[dim];
  }

  /** {@code y = (x - mean) / std * gain + bias}, row by row; {@code bias} may be null. */
  void forward(NativeFloats x, float[] gain, float[] bias, NativeFloats y) {
    for (int r = 0; r < rows; r++) {
      int o = r * dim;
      x.get(o, in, dim);
      float mean = sum(in) / dim;
      float sq = sumOfSquaredDeviations(in, mean);
      float rs = sq > 0 ? (float) (1.0 / Math.sqrt(sq / dim)) : 0f;
      rstd[r] = rs;
      float[] h = xhat[r];
      for (int c = 0; c < dim; c++) h[c] = (in[c] - mean) * rs;
      if (bias == null) {
        for (int c = 0; c < dim; c++) out[c] = h[c] * gain[c];
      } else {
        for (int c = 0; c < dim; c++) out[c] = h[c] * gain[c] + bias[c];
      }
      y.put(o, out, dim);
    }
  }

  /**
   * Writes (or, when {@code accumulate}, adds) the input gradient for output gradient {@code dy}
   * to {@code dx}, and adds the parameter gradients to {@code dGain} and {@code dBias} (may be
   * null), which the caller zeroes.
   */
  void backward(NativeFloats dy, float[] gain, NativeFloats dx, boolean accumulate, float[] dGain, float[] dBias) {
    float[] g = in;
    float[] d = out;
    for (int r = 0; r < rows; r++) {
      int o = r * dim;
      dy.get(o, g, dim);
      float[] h = xhat[r];
      float sum1 = dot(g, gain);
      float sum2 = dot3(g, gain, h);
      for (int c = 0; c < dim; c++) dGain[c] += g[c] * h[c];
      if (dBias != null) {
        for (int c = 0; c < dim; c++) dBias[c] += g[c];
      }
      float m1 = sum1 / dim;
      float m2 = sum2 / dim;
      float rs = rstd[r];
      if (accumulate) {
        dx.get(o, d, dim);
      } else {
        java.util.Arrays.fill(d, 0f);
      }
      for (int c = 0; c < dim; c++) {
        d[c] += rs * (g[c] * gain[c] - m1 - h[c] * m2);
      }
      dx.put(o, d, dim);
    }
  }

  // Sums with four partial accumulators: one running sum is a chain of dependent adds (C2 keeps
  // float sums in order), four chains run in parallel. The rounding differs from a single chain
  // by float rounding only.

  private static float sum(float[] a) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int n = a.length & ~3;
    for (int c = 0; c < n; c += 4) {
      s0 += a[c];
      s1 += a[c + 1];
      s2 += a[c + 2];
      s3 += a[c + 3];
    }
    for (int c = n; c < a.length; c++) s0 += a[c];
    return (s0 + s1) + (s2 + s3);
  }

  private static float sumOfSquaredDeviations(float[] a, float mean) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int n = a.length & ~3;
    for (int c = 0; c < n; c += 4) {
      float d0 = a[c] - mean;
      float d1 = a[c + 1] - mean;
      float d2 = a[c + 2] - mean;
      float d3 = a[c + 3] - mean;
      s0 += d0 * d0;
      s1 += d1 * d1;
      s2 += d2 * d2;
      s3 += d3 * d3;
    }
    for (int c = n; c < a.length; c++) {
      float d = a[c] - mean;
      s0 += d * d;
    }
    return (s0 + s1) + (s2 + s3);
  }

  private static float dot(float[] a, float[] b) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int n = a.length & ~3;
    for (int c = 0; c < n; c += 4) {
      s0 += a[c] * b[c];
      s1 += a[c + 1] * b[c + 1];
      s2 += a[c + 2] * b[c + 2];
      s3 += a[c + 3] * b[c + 3];
    }
    for (int c = n; c < a.length; c++) s0 += a[c] * b[c];
    return (s0 + s1) + (s2 + s3);
  }

  /** {@code sum a[c] b[c] h[c]}. */
  private static float dot3(float[] a, float[] b, float[] h) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int n = a.length & ~3;
    for (int c = 0; c < n; c += 4) {
      s0 += a[c] * b[c] * h[c];
      s1 += a[c + 1] * b[c + 1] * h[c + 1];
      s2 += a[c + 2] * b[c + 2] * h[c + 2];
      s3 += a[c + 3] * b[c + 3] * h[c + 3];
    }
    for (int c = n; c < a.length; c++) s0 += a[c] * b[c] * h[c];
    return (s0 + s1) + (s2 + s3);
  }
}
