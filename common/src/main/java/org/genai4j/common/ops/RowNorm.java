package org.genai4j.common.ops;

import java.util.Arrays;
import java.util.List;

/**
 * Normalization of each row over the last dimension, the arithmetic that {@link LayerNorm} and
 * {@link RmsNorm} share: {@code y = (x - mu) / sqrt(v + eps) * weight (+ bias)}, where a centered
 * norm (layer norm) takes the row's mean {@code mu} and population variance {@code v}, and an
 * uncentered one (RMS norm) {@code mu = 0} and the mean square {@code v}.
 *
 * <p>Each row is one pass of fused Java loops over a row array: the sums keep four accumulators
 * ({@link RowMath}), the element loops vectorize. The forward pass keeps only each row's {@code mu}
 * and {@code 1/sqrt(v + eps)}; the backward pass recomputes the normalized row from the input
 * (one multiply-add per element, cheaper than storing and reloading it) and adds the weight and
 * bias gradients of all rows into the parameters' gradients once.
 */
abstract class RowNorm implements Layer {
  private final String what;
  private final boolean centered;
  private final Param weight;
  private final Param bias;
  private final int dim;
  private final float eps;
  private final float[] in;
  private final float[] out;
  private final float[] g;
  private final float[] h;
  private final float[] gain;
  private final float[] shift;
  private final float[] dGain;
  private final float[] dShift;
  private float[] mean = new float[0];
  private float[] rstd = new float[0];
  private Tensor x;
  private Tensor y;
  private Tensor dx;

  /** {@code what} names the norm in messages ("layer norm"); {@code bias} may be null. */
  RowNorm(String what, boolean centered, Param weight, Param bias, double eps) {
    int[] s = weight.shape();
    if (s.length != 1) {
      throw new IllegalArgumentException(what + " weight '" + weight.name() + "' must be [dim], got " + weight);
    }
    if (bias != null && !Arrays.equals(bias.shape(), s)) {
      throw new IllegalArgumentException(what + " bias '" + bias.name() + "' must be " + Arrays.toString(s)
          + ", got " + bias);
    }
    if (!(eps >= 0)) {
      throw new IllegalArgumentException(what + " '" + weight.name() + "': eps must be >= 0, got " + eps);
    }
    this.what = what;
    this.centered = centered;
    this.weight = weight;
    this.bias = bias;
    this.dim = s[0];
    this.eps = (float) eps;
    in = new float[dim];
    out = new float[dim];
    g = new float[dim];
    h = new float[dim];
    gain = new float[dim];
    shift = new float[dim];
    dGain = new float[dim];
    dShift = new float[dim];
  }

  public Param weight() {
    return weight;
  }

  public double eps() {
    return eps;
  }

  /** The bias, or null. */
  Param biasParam() {
    return bias;
  }

  @Override
  public Tensor forward(StepContext ctx, Tensor x) {
    int rows = x.rowsOfWidth(dim, what + " '" + weight.name() + "'");
    this.x = x;
    y = Tensor.ensure(y, x.shape());
    if (mean.length < rows) {
      mean = new float[rows];
      rstd = new float[rows];
    }
    weight.value().read(0, gain, 0, dim);
    if (bias != null) {
      bias.value().read(0, shift, 0, dim);
    }
    float[] a = in;
    float[] o = out;
    float[] w = gain;
    float[] b = shift;
    float invDim = 1f / dim;
    for (int r = 0; r < rows; r++) {
      x.read(r * dim, a, 0, dim);
      float mu = centered ? RowMath.sum(a, 0, dim) * invDim : 0f;
      float var = (centered ? RowMath.sumOfSquaredDeviations(a, mu, dim) : RowMath.dot(a, a, 0, dim)) * invDim;
      float rs = (float) (1.0 / Math.sqrt(var + eps));
      mean[r] = mu;
      rstd[r] = rs;
      if (bias == null) {
        for (int c = 0; c < dim; c++) {
          o[c] = (a[c] - mu) * rs * w[c];
        }
      } else {
        for (int c = 0; c < dim; c++) {
          o[c] = (a[c] - mu) * rs * w[c] + b[c];
        }
      }
      y.write(r * dim, o, 0, dim);
    }
    return y;
  }

  @Override
  public Tensor backward(StepContext ctx, Tensor dy) {
    if (x == null) {
      throw new IllegalStateException(what + " '" + weight.name() + "': backward before forward");
    }
    int rows = x.rowsOfWidth(dim, what + " '" + weight.name() + "'");
    if (dy.length() != x.length()) {
      throw new IllegalArgumentException(what + " '" + weight.name() + "': output gradient " + dy
          + " does not fit the input " + x);
    }
    dx = Tensor.ensure(dx, x.shape());
    boolean wantGain = weight.requiresGrad();
    boolean wantShift = bias != null && bias.requiresGrad();
    Arrays.fill(dGain, 0f);
    Arrays.fill(dShift, 0f);
    weight.value().read(0, gain, 0, dim);
    float[] a = in;
    float[] d = out;
    float[] gy = g;
    float[] xh = h;
    float[] w = gain;
    float invDim = 1f / dim;
    for (int r = 0; r < rows; r++) {
      x.read(r * dim, a, 0, dim);
      dy.read(r * dim, d, 0, dim);
      float mu = mean[r];
      float rs = rstd[r];
      if (wantShift) {
        for (int c = 0; c < dim; c++) {
          dShift[c] += d[c];
        }
      }
      for (int c = 0; c < dim; c++) {
        xh[c] = (a[c] - mu) * rs;
      }
      if (wantGain) {
        for (int c = 0; c < dim; c++) {
          dGain[c] += d[c] * xh[c];
        }
      }
      for (int c = 0; c < dim; c++) {
        gy[c] = d[c] * w[c];
      }
      // dx = rs (gy - mean(gy) - xhat mean(gy xhat)); without centering the mean(gy) term is absent.
      float m1 = centered ? RowMath.sum(gy, 0, dim) * invDim : 0f;
      float m2 = RowMath.dot(gy, xh, 0, dim) * invDim;
      for (int c = 0; c < dim; c++) {
        d[c] = rs * (gy[c] - m1 - xh[c] * m2);
      }
      dx.write(r * dim, d, 0, dim);
    }
    if (wantGain) {
      RowMath.addInto(weight.grad(), dGain, a, dim);
    }
    if (wantShift) {
      RowMath.addInto(bias.grad(), dShift, a, dim);
    }
    return dx;
  }

  @Override
  public List<Param> params() {
    return Param.list(weight, bias);
  }
}
