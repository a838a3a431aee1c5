package org.genai4j.common.ops;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Layer normalization over the last dimension, PyTorch's {@code nn.LayerNorm}: {@code y = (x -
 * mean) / sqrt(var + eps) * weight + bias}, with the population variance, {@code eps} 1e-5 by
 * default, weight {@code <name>.weight} (ones) and optional bias {@code <name>.bias} (zeros).
 *
 * <p>Each row is one pass of fused Java loops over a row array: the sums (mean, variance, and in
 * the backward pass {@code sum dy*w} and {@code sum dy*w*xhat}) keep four accumulators ({@link
 * RowMath}), the element loops vectorize. The forward pass keeps only each row's mean and
 * {@code 1/std}; the backward pass recomputes {@code xhat} from the input (one multiply-add per
 * element, cheaper than storing and reloading it) and adds the weight and bias gradients of all
 * rows into the parameters' gradients once.
 */
public final class LayerNorm implements Layer {
  public static final double DEFAULT_EPS = 1e-5;

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

  /** A layer norm over rows of {@code dim} with epsilon 1e-5 and a bias, as PyTorch's default. */
  public LayerNorm(Params params, String name, int dim) {
    this(params, name, dim, DEFAULT_EPS, true);
  }

  /** A layer norm with parameters {@code name.weight} and, when {@code bias}, {@code name.bias}. */
  public LayerNorm(Params params, String name, int dim, double eps, boolean bias) {
    this(params.create(name + ".weight", Init.ones(), false, dim),
        bias ? params.create(name + ".bias", Init.zeros(), false, dim) : null, eps);
  }

  /** A layer norm over existing parameters ({@code bias} may be null). */
  public LayerNorm(Param weight, Param bias, double eps) {
    int[] s = weight.shape();
    if (s.length != 1) {
      throw new IllegalArgumentException("layer norm weight '" + weight.name() + "' must be [dim], got " + weight);
    }
    if (bias != null && !Arrays.equals(bias.shape(), s)) {
      throw new IllegalArgumentException("layer norm bias '" + bias.name() + "' must be " + Arrays.toString(s)
          + ", got " + bias);
    }
    if (!(eps >= 0)) {
      throw new IllegalArgumentException("layer norm '" + weight.name() + "': eps must be >= 0, got " + eps);
    }
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

  public Param bias() {
    return bias;
  }

  public double eps() {
    return eps;
  }

  @Override
  public Tensor forward(StepContext ctx, Tensor x) {
    int rows = rowsOf(x);
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
      float mu = RowMath.sum(a, 0, dim) * invDim;
      float var = RowMath.sumOfSquaredDeviations(a, mu, dim) * invDim;
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
      throw new IllegalStateException("layer norm '" + weight.name() + "': backward before forward");
    }
    int rows = rowsOf(x);
    if (dy.length() != x.length()) {
      throw new IllegalArgumentException("layer norm '" + weight.name() + "': output gradient " + dy
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
      float m1 = RowMath.sum(gy, 0, dim) * invDim;
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
    List<Param> p = new ArrayList<>(List.of(weight));
    if (bias != null) {
      p.add(bias);
    }
    return p;
  }

  private int rowsOf(Tensor t) {
    if (t.rank() == 0 || t.dim(t.rank() - 1) != dim) {
      throw new IllegalArgumentException("layer norm '" + weight.name() + "' takes rows of " + dim + ", got " + t);
    }
    return t.length() / dim;
  }
}
