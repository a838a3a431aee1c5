package org.genai4j.common.ops;

import java.util.Arrays;

/**
 * Stacks tensors along the batch dimension, {@code torch.cat(parts, dim=0)}: a discriminator run
 * once on {@code [real; fake]} (with {@link BatchNorm#segments} keeping their statistics apart).
 * The forward pass copies the parts into one buffer (one memcpy each); the backward pass hands
 * each part its rows of the output's gradient as a view, no copy.
 */
public final class ConcatRows {
  private int[] bounds = new int[0];
  private Tensor y;

  /** The parts ({@code [N_i, ...]}, the same shape after the first dimension) one after another. */
  public Tensor forward(StepContext ctx, Tensor... parts) {
    if (parts.length == 0) {
      throw new IllegalArgumentException("concat rows needs at least one part");
    }
    int[] shape = parts[0].shape();
    if (shape.length == 0) {
      throw new IllegalArgumentException("concat rows takes [N, ...] parts, got " + parts[0]);
    }
    bounds = new int[parts.length + 1];
    for (int i = 0; i < parts.length; i++) {
      int[] s = parts[i].shape();
      s[0] = shape[0];
      if (!Arrays.equals(s, shape)) {
        throw new IllegalArgumentException("concat rows: part " + i + " must be [N, " + Arrays.toString(
            Arrays.copyOfRange(shape, 1, shape.length)).replace("[", "") + ", got " + parts[i]);
      }
      bounds[i + 1] = bounds[i] + parts[i].rows();
    }
    shape[0] = bounds[parts.length];
    y = Tensor.ensure(y, shape);
    for (int i = 0; i < parts.length; i++) {
      y.rowRange(bounds[i], bounds[i + 1]).copyFrom(parts[i]);
    }
    return y;
  }

  /** Part {@code i}'s rows of the output's gradient {@code dy} (a view). */
  public Tensor backward(StepContext ctx, Tensor dy, int i) {
    if (y == null || !dy.sameShape(y)) {
      throw new IllegalArgumentException("concat rows: gradient must be " + y + ", got " + dy);
    }
    return dy.rowRange(bounds[i], bounds[i + 1]);
  }
}
