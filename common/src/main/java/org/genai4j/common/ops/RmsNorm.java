package org.genai4j.common.ops;

import java.util.Arrays;
import java.util.List;

/**
 * Root-mean-square normalization over the last dimension, as Llama's {@code LlamaRMSNorm}: {@code
 * y = x / sqrt(mean(x^2) + eps) * weight}, weight {@code <name>.weight} (ones), no mean
 * subtraction and no bias; {@code eps} 1e-6 by default (Hugging Face's Llama; Llama 2 checkpoints
 * use 1e-5).
 *
 * <p>Written as {@link LayerNorm}: one pass of fused row loops with four-accumulator sums; the
 * forward pass keeps each row's {@code 1/rms}, the backward pass recomputes {@code x/rms} and adds
 * the weight gradient of all rows into the parameter once.
 */
public final class RmsNorm implements Layer {
  public static final double DEFAULT_EPS = 1e-6;

  private final Param weight;
  private final int dim;
  private final float eps;
  private final float[] in;
  private final float[] out;
  private final float[] g;
  private final float[] h;
  private final float[] gain;
  private final float[] dGain;
  private float[] rrms = new float[0];
  private Tensor x;
  private Tensor y;
  private Tensor dx;

  /** An RMS norm over rows of {@code dim} with epsilon 1e-6. */
  public RmsNorm(Params params, String name, int dim) {
    this(params, name, dim, DEFAULT_EPS);
  }

  /** An RMS norm with weight {@code name.weight}. */
  public RmsNorm(Params params, String name, int dim, double eps) {
    this(params.create(name + ".weight", Init.ones(), false, dim), eps);
  }

  /** An RMS norm over an existing weight {@code [dim]}. */
  public RmsNorm(Param weight, double eps) {
    if (weight.shape().length != 1) {
      throw new IllegalArgumentException("RMS norm weight '" + weight.name() + "' must be [dim], got " + weight);
    }
    if (!(eps >= 0)) {
      throw new IllegalArgumentException("RMS norm '" + weight.name() + "': eps must be >= 0, got " + eps);
    }
    this.weight = weight;
    this.dim = weight.shape()[0];
    this.eps = (float) eps;
    in = new float[dim];
    out = new float[dim];
    g = new float[dim];
    h = new float[dim];
    gain = new float[dim];
    dGain = new float[dim];
  }

  public Param weight() {
    return weight;
  }

  public double eps() {
    return eps;
  }

  @Override
  public Tensor forward(StepContext ctx, Tensor x) {
    int rows = rowsOf(x);
    this.x = x;
    y = Tensor.ensure(y, x.shape());
    if (rrms.length < rows) {
      rrms = new float[rows];
    }
    weight.value().read(0, gain, 0, dim);
    float[] a = in;
    float[] o = out;
    float[] w = gain;
    for (int r = 0; r < rows; r++) {
      x.read(r * dim, a, 0, dim);
      float ms = RowMath.dot(a, a, 0, dim) / dim;
      float rs = (float) (1.0 / Math.sqrt(ms + eps));
      rrms[r] = rs;
      for (int c = 0; c < dim; c++) {
        o[c] = a[c] * rs * w[c];
      }
      y.write(r * dim, o, 0, dim);
    }
    return y;
  }

  @Override
  public Tensor backward(StepContext ctx, Tensor dy) {
    if (x == null) {
      throw new IllegalStateException("RMS norm '" + weight.name() + "': backward before forward");
    }
    int rows = rowsOf(x);
    if (dy.length() != x.length()) {
      throw new IllegalArgumentException("RMS norm '" + weight.name() + "': output gradient " + dy
          + " does not fit the input " + x);
    }
    dx = Tensor.ensure(dx, x.shape());
    boolean wantGain = weight.requiresGrad();
    Arrays.fill(dGain, 0f);
    weight.value().read(0, gain, 0, dim);
    float[] a = in;
    float[] d = out;
    float[] gy = g;
    float[] xh = h;
    float[] w = gain;
    for (int r = 0; r < rows; r++) {
      x.read(r * dim, a, 0, dim);
      dy.read(r * dim, d, 0, dim);
      float rs = rrms[r];
      for (int c = 0; c < dim; c++) {
        xh[c] = a[c] * rs;
      }
      if (wantGain) {
        for (int c = 0; c < dim; c++) {
          dGain[c] += d[c] * xh[c];
        }
      }
      for (int c = 0; c < dim; c++) {
        gy[c] = d[c] * w[c];
      }
      // dx = rs * (dy*w - xhat * mean(dy*w*xhat))
      float m = RowMath.dot(gy, xh, 0, dim) / dim;
      for (int c = 0; c < dim; c++) {
        d[c] = rs * (gy[c] - xh[c] * m);
      }
      dx.write(r * dim, d, 0, dim);
    }
    if (wantGain) {
      RowMath.addInto(weight.grad(), dGain, a, dim);
    }
    return dx;
  }

  @Override
  public List<Param> params() {
    return List.of(weight);
  }

  private int rowsOf(Tensor t) {
    if (t.rank() == 0 || t.dim(t.rank() - 1) != dim) {
      throw new IllegalArgumentException("RMS norm '" + weight.name() + "' takes rows of " + dim + ", got " + t);
    }
    return t.length() / dim;
  }
}
