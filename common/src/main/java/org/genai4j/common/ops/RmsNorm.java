package org.genai4j.common.ops;

/**
 * Root-mean-square normalization over the last dimension, as Llama's {@code LlamaRMSNorm}: {@code
 * y = x / sqrt(mean(x^2) + eps) * weight}, weight {@code <name>.weight} (ones), no mean
 * subtraction and no bias; {@code eps} 1e-6 by default (Hugging Face's Llama; Llama 2 checkpoints
 * use 1e-5). The row loops are {@link RowNorm}'s, shared with {@link LayerNorm}.
 */
public final class RmsNorm extends RowNorm {
  public static final double DEFAULT_EPS = 1e-6;

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
    super("RMS norm", false, weight, null, eps);
  }
}
