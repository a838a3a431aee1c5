package org.genai4j.common.ops;

import java.util.Arrays;

/**
 * Gives each example (row) another shape of the same size, keeping the batch dimension: {@code
 * [N, C*H*W] -> [N, C, H, W]} after a generator's projection, {@code [N, C, H, W] -> [N, C*H*W]}
 * before a discriminator's last linear layer. Forward and backward return views of the same
 * memory (no copy), and the same view object while the input tensor is the same, so the ND4J
 * array a convolution takes from it is made once.
 */
public final class Reshape implements Layer {
  /** The shape of an example; null: one row of its elements. */
  private final int[] perExample;
  private Tensor x;
  private Tensor y;
  private Tensor dy;
  private Tensor dx;

  private Reshape(int[] perExample) {
    if (perExample != null) {
      for (int d : perExample) {
        if (d < 1) {
          throw new IllegalArgumentException("reshape needs positive dimensions, got " + Arrays.toString(perExample));
        }
      }
    }
    this.perExample = perExample == null ? null : perExample.clone();
  }

  /** Each example to {@code perExample}, e.g. {@code Reshape.to(128, 7, 7)}. */
  public static Reshape to(int... perExample) {
    return new Reshape(perExample);
  }

  /** Each example to one row of its elements: {@code [N, ...] -> [N, C*H*W]}. */
  public static Reshape flatten() {
    return new Reshape(null);
  }

  @Override
  public Tensor forward(StepContext ctx, Tensor input) {
    if (input == x) {
      return y;
    }
    int[] shape;
    if (perExample == null) {
      if (input.rank() < 1) {
        throw new IllegalArgumentException("flatten takes [N, ...], got " + input);
      }
      shape = new int[] {input.rows(), input.rowLength()};
    } else {
      long size = 1;
      for (int d : perExample) {
        size *= d;
      }
      if (input.rank() < 1 || input.rows() > 0 && input.rowLength() != size) {
        throw new IllegalArgumentException("reshape to [N, " + Arrays.toString(perExample).replace("[", "")
            + " takes rows of " + size + " elements, got " + input);
      }
      shape = new int[perExample.length + 1];
      shape[0] = input.rows();
      System.arraycopy(perExample, 0, shape, 1, perExample.length);
    }
    x = input;
    y = input.reshape(shape);
    return y;
  }

  @Override
  public Tensor backward(StepContext ctx, Tensor grad) {
    if (x == null) {
      throw new IllegalStateException("reshape: backward before forward");
    }
    if (grad.length() != x.length()) {
      throw new IllegalArgumentException("reshape: gradient must be " + y + ", got " + grad);
    }
    if (grad != dy || !dx.sameShape(x)) {
      dy = grad;
      dx = grad.reshape(x.shape());
    }
    return dx;
  }
}
