package org.genai4j.common.ops;

import java.util.List;

/**
 * {@code y = x W^T + b}, PyTorch's {@code nn.Linear}: weight {@code [out, in]}, optional bias
 * {@code [out]}, over the rows of {@code x} (any shape whose last dimension is {@code in}; the
 * output has the same leading dimensions). Three BLAS products: {@code x W^T} forward,
 * {@code dW += dy^T x} and {@code dx = dy W} backward; the bias is a rank-1 product with a column
 * of ones, which BLAS writes at memory speed.
 */
public final class Linear implements Layer {
  private final Param weight;
  private final Param bias;
  private final int in;
  private final int out;
  private boolean inputGradient = true;
  private Tensor x;
  private Tensor y;
  private Tensor dx;
  private Tensor ones;

  /** A layer with PyTorch's default initialization: weights and bias uniform on {@code +-1/sqrt(in)}. */
  public Linear(Params params, String name, int in, int out, boolean bias) {
    this(params, name, in, out, bias, Init.fanInUniform(in), Init.fanInUniform(in));
  }

  /** A layer with weights {@code name.weight} from {@code weightInit} and bias {@code name.bias} from {@code biasInit}. */
  public Linear(Params params, String name, int in, int out, boolean bias, Init weightInit, Init biasInit) {
    this(params.create(name + ".weight", weightInit, out, in),
        bias ? params.create(name + ".bias", biasInit, false, out) : null);
  }

  /** A layer over existing parameters, e.g. an output head tied to a token embedding {@code [vocab, width]}. */
  public Linear(Param weight, Param bias) {
    int[] s = weight.shape();
    if (s.length != 2) {
      throw new IllegalArgumentException("linear weight '" + weight.name() + "' must be [out, in], got " + weight);
    }
    if (bias != null && (bias.shape().length != 1 || bias.shape()[0] != s[0])) {
      throw new IllegalArgumentException("linear bias '" + bias.name() + "' must be [" + s[0] + "], got " + bias);
    }
    this.weight = weight;
    this.bias = bias;
    this.out = s[0];
    this.in = s[1];
  }

  /** Skips the input's gradient (its input is data, not a layer's output): backward returns null. */
  public Linear withoutInputGradient() {
    inputGradient = false;
    return this;
  }

  public Param weight() {
    return weight;
  }

  public Param bias() {
    return bias;
  }

  @Override
  public Tensor forward(StepContext ctx, Tensor x) {
    int rows = rowsOf(x);
    this.x = x;
    int[] shape = x.shape();
    shape[shape.length - 1] = out;
    y = Tensor.ensure(y, shape);
    float beta = 0f;
    if (bias != null) {
      Blas.gemm(false, false, rows, out, 1, 1f, ones(rows), 0, 1, bias.value(), 0, out, 0f, y, 0, out);
      beta = 1f;
    }
    Blas.gemm(false, true, rows, out, in, 1f, x, 0, in, weight.value(), 0, in, beta, y, 0, out);
    return y;
  }

  @Override
  public Tensor backward(StepContext ctx, Tensor dy) {
    int rows = rowsOf(x);
    if (dy.length() != rows * out) {
      throw new IllegalArgumentException("linear '" + weight.name() + "': output gradient " + dy + " does not fit "
          + rows + " rows of " + out);
    }
    if (weight.requiresGrad()) {
      Blas.gemm(true, false, out, in, rows, 1f, dy, 0, out, x, 0, in, 1f, weight.grad(), 0, in);
    }
    if (bias != null && bias.requiresGrad()) {
      Blas.gemm(false, false, 1, out, rows, 1f, ones(rows), 0, rows, dy, 0, out, 1f, bias.grad(), 0, out);
    }
    if (!inputGradient) {
      return null;
    }
    dx = Tensor.ensure(dx, x.shape());
    Blas.gemm(false, false, rows, in, out, 1f, dy, 0, out, weight.value(), 0, in, 0f, dx, 0, in);
    return dx;
  }

  @Override
  public List<Param> params() {
    return Param.list(weight, bias);
  }

  private int rowsOf(Tensor t) {
    return t.rowsOfWidth(in, "linear '" + weight.name() + "'");
  }

  private Tensor ones(int rows) {
    if (ones == null || ones.length() < rows) {
      ones = Tensor.zeros(rows);
      ones.fill(1f);
    }
    return ones;
  }
}
