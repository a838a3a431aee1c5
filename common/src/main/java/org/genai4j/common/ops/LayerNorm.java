package org.genai4j.common.ops;

/**
 * Layer normalization over the last dimension, PyTorch's {@code nn.LayerNorm}: {@code y = (x -
 * mean) / sqrt(var + eps) * weight + bias}, with the population variance, {@code eps} 1e-5 by
 * default, weight {@code <name>.weight} (ones) and optional bias {@code <name>.bias} (zeros). The
 * row loops are {@link RowNorm}'s, shared with {@link RmsNorm}.
 */
public final class LayerNorm extends RowNorm {
  public static final double DEFAULT_EPS = 1e-5;

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
    super("layer norm", true, weight, bias, eps);
  }

  /** The bias, or null. */
  public Param bias() {
    return biasParam();
  }
}
