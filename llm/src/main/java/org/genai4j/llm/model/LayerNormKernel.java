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
  private final float[] xhat;
  private final float[] rstd;
  private final float[] in;
  private final float[] out;

  LayerNormKernel(int rows, int dim) {
    this.rows = rows;
    this.dim = dim;
    this.xhat = new float[rows * dim];
    this.rstd = new float[rows];
    this.in = new float[dim];
    this.out = new float[dim];
  }

  /** {@code y = (x - mean) / std * gain + bias}, row by row; {@code bias} may be null. */
  void forward(NativeFloats x, float[] gain, float[] bias, NativeFloats y) {
    for (int r = 0; r < rows; r++) {
      int o = r * dim;
      x.get(o, in, dim);
      float sum = 0;
      for (int c = 0; c < dim; c++) sum += in[c];
      float mean = sum / dim;
      float sq = 0;
      for (int c = 0; c < dim; c++) {
        float dev = in[c] - mean;
        sq += dev * dev;
      }
      float rs = sq > 0 ? (float) (1.0 / Math.sqrt(sq / dim)) : 0f;
      rstd[r] = rs;
      for (int c = 0; c < dim; c++) {
        float h = (in[c] - mean) * rs;
        xhat[o + c] = h;
        out[c] = h * gain[c] + (bias == null ? 0f : bias[c]);
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
      float sum1 = 0;
      float sum2 = 0;
      for (int c = 0; c < dim; c++) {
        float h = xhat[o + c];
        float dh = g[c] * gain[c];
        sum1 += dh;
        sum2 += dh * h;
        dGain[c] += g[c] * h;
      }
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
        d[c] += rs * (g[c] * gain[c] - m1 - xhat[o + c] * m2);
      }
      dx.put(o, d, dim);
    }
  }
}
