package org.genai4j.common.ops;

import java.util.Arrays;

/**
 * What a loss op keeps from its forward pass in training: the per-element gradient of its summed
 * loss, and the batch-wide count it divides by (summed over the shards with {@code
 * ctx.allReduceSum}), so that its backward pass is one scaling.
 */
final class KeptGradient {
  private static final int CHUNK = 4096;

  private final String what;
  private final float[] chunk = new float[CHUNK];
  private float[] grad = new float[0];
  private boolean kept;
  private int[] shape;
  private int length;
  private double denominator;
  private Tensor dx;

  /** {@code what} names the loss in messages ("gaussian KL"). */
  KeptGradient(String what) {
    this.what = what;
  }

  /**
   * Starts a forward pass over an input of {@code shape}; returns the array the loss fills with
   * its per-element gradient, or null outside training (nothing is kept then).
   */
  float[] start(StepContext ctx, int[] shape, int length) {
    kept = ctx.training();
    this.shape = shape;
    this.length = length;
    if (!kept) {
      return null;
    }
    if (grad.length < length) {
      grad = new float[length];
    }
    return grad;
  }

  /** Sums {@code count} over the shards and keeps it as the divisor; a one-line error for an empty batch. */
  double divideBy(StepContext ctx, double count) {
    denominator = ctx.allReduceSum(count);
    if (denominator == 0) {
      throw new IllegalArgumentException(what + " over an empty batch");
    }
    return denominator;
  }

  /** The gradient of {@code weight} times this shard's loss (a buffer of this object). */
  Tensor scaled(float weight) {
    dx = Tensor.ensure(dx, checkKept());
    float k = (float) (weight / denominator);
    for (int at = 0; at < length; at += CHUNK) {
      int m = Math.min(CHUNK, length - at);
      for (int i = 0; i < m; i++) {
        chunk[i] = k * grad[at + i];
      }
      dx.write(at, chunk, 0, m);
    }
    return dx;
  }

  /** ADDS the gradient of {@code weight} times this shard's loss into {@code into}, of the input's shape. */
  void addScaled(float weight, Tensor into) {
    checkKept();
    if (into.length() != length || into.rows() != (shape.length == 0 ? 1 : shape[0])) {
      throw new IllegalArgumentException(what + ": gradient " + into + " does not fit the input " + Arrays.toString(shape));
    }
    float k = (float) (weight / denominator);
    float[] c = chunk;
    float[] g = grad;
    for (int at = 0; at < length; at += CHUNK) {
      int m = Math.min(CHUNK, length - at);
      into.read(at, c, 0, m);
      for (int i = 0; i < m; i++) {
        c[i] += k * g[at + i];
      }
      into.write(at, c, 0, m);
    }
  }

  private int[] checkKept() {
    if (!kept) {
      throw new IllegalStateException(what + ": backward needs a forward pass in training mode");
    }
    return shape;
  }
}
