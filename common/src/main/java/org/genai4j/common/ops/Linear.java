package org.genai4j.common.ops;

import java.util.List;

/**
 * {@code y = x W^T + b}, PyTorch's {@code nn.Linear}: weight {@code [out, in]}, optional bias
 * {@code [out]}, over the rows of {@code x} (any shape whose last dimension is {@code in}; the
 * output has the same leading dimensions). Three BLAS products: {@code x W^T} forward,
 * {@code dW += dy^T x} and {@code dx = dy W} backward; the bias is a rank-1 product with a column
 * of ones, which BLAS writes at memory speed.
 *
 * <p>Low-rank adaptation ({@link #withLowRank}, LoRA, Hu et al. 2021): {@code y = x W^T + b +
 * (alpha / r) (x A^T) B^T} with {@code A [r, in]} ({@code <name>.lora_A}, uniform on
 * {@code +-1/sqrt(in)}) and {@code B [out, r]} ({@code <name>.lora_B}, zeros, so the layer starts
 * as it was). Fine-tuning trains A and B with W frozen; {@link #mergeLowRank} folds them into W.
 */
public final class Linear implements Layer {
  private final Param weight;
  private final Param bias;
  private final int in;
  private final int out;
  private boolean inputGradient = true;
  /** The low-rank adapter's matrices and scale, or null. */
  private Param loraA;
  private Param loraB;
  private float loraScale;
  private Tensor h;
  private Tensor dh;
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

  /**
   * Adds a low-rank adapter of rank {@code rank} and scale {@code alpha / rank}, its matrices
   * created in {@code params} as {@code <name>.lora_A} and {@code <name>.lora_B} ({@code <name>}:
   * the weight's name without {@code .weight}).
   */
  public Linear withLowRank(Params params, int rank, double alpha) {
    if (rank < 1 || rank > Math.min(in, out)) {
      throw new IllegalArgumentException("LoRA rank must be in 1.." + Math.min(in, out) + " for linear '"
          + weight.name() + "' [" + out + ", " + in + "], got " + rank);
    }
    if (!(alpha > 0)) {
      throw new IllegalArgumentException("LoRA alpha must be > 0, got " + alpha);
    }
    if (loraA != null) {
      throw new IllegalStateException("linear '" + weight.name() + "' already has a low-rank adapter");
    }
    String name = weight.name().endsWith(".weight")
        ? weight.name().substring(0, weight.name().length() - ".weight".length()) : weight.name();
    loraA = params.create(name + ".lora_A", Init.fanInUniform(in), false, rank, in);
    loraB = params.create(name + ".lora_B", Init.zeros(), false, out, rank);
    loraScale = (float) (alpha / rank);
    return this;
  }

  /** The adapter's A {@code [r, in]}, or null without one. */
  public Param loraA() {
    return loraA;
  }

  /** The adapter's B {@code [out, r]}, or null without one. */
  public Param loraB() {
    return loraB;
  }

  /** {@code W += (alpha / r) B A}: the adapted layer's function in its weight alone (the adapter stays, and adds again). */
  public void mergeLowRank() {
    if (loraA == null) {
      throw new IllegalStateException("linear '" + weight.name() + "' has no low-rank adapter to merge");
    }
    int r = loraA.shape()[0];
    Blas.gemm(false, false, out, in, r, loraScale, loraB.value(), 0, r, loraA.value(), 0, in, 1f, weight.value(), 0, in);
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
    if (loraA != null) {
      // y += scale (x A^T) B^T, through the rank-r bottleneck h.
      int r = loraA.shape()[0];
      h = Tensor.ensure(h, rows, r);
      Blas.gemm(false, true, rows, r, in, 1f, x, 0, in, loraA.value(), 0, in, 0f, h, 0, r);
      Blas.gemm(false, true, rows, out, r, loraScale, h, 0, r, loraB.value(), 0, r, 1f, y, 0, out);
    }
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
      float beta = weight.gradBeta();
      Blas.gemm(true, false, out, in, rows, 1f, dy, 0, out, x, 0, in, beta, weight.grad(), 0, in);
    }
    if (bias != null && bias.requiresGrad()) {
      float beta = bias.gradBeta();
      Blas.gemm(false, false, 1, out, rows, 1f, ones(rows), 0, rows, dy, 0, out, beta, bias.grad(), 0, out);
    }
    int r = loraA == null ? 0 : loraA.shape()[0];
    if (loraA != null) {
      if (loraB.requiresGrad()) {
        // dB += scale dy^T h
        Blas.gemm(true, false, out, r, rows, loraScale, dy, 0, out, h, 0, r, 1f, loraB.grad(), 0, r);
      }
      // dh = scale dy B; dA += dh^T x
      dh = Tensor.ensure(dh, rows, r);
      Blas.gemm(false, false, rows, r, out, loraScale, dy, 0, out, loraB.value(), 0, r, 0f, dh, 0, r);
      if (loraA.requiresGrad()) {
        Blas.gemm(true, false, r, in, rows, 1f, dh, 0, r, x, 0, in, 1f, loraA.grad(), 0, in);
      }
    }
    if (!inputGradient) {
      return null;
    }
    dx = Tensor.ensure(dx, x.shape());
    Blas.gemm(false, false, rows, in, out, 1f, dy, 0, out, weight.value(), 0, in, 0f, dx, 0, in);
    if (loraA != null) {
      Blas.gemm(false, false, rows, in, r, 1f, dh, 0, r, loraA.value(), 0, in, 1f, dx, 0, in);
    }
    return dx;
  }

  @Override
  public List<Param> params() {
    return loraA == null ? Param.list(weight, bias) : Param.list(weight, bias, loraA, loraB);
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
