package org.genai4j.common.ops;

import java.util.Arrays;

/**
 * A trainable array of a model: its name (as in the model's checkpoint), its value and the
 * gradient the backward pass accumulates into. Replicas of a model that run on several threads
 * share the value and own their gradients ({@link Params#replica()}).
 *
 * <p>Backward passes ADD into {@link #grad()} (a parameter used twice, such as a tied embedding,
 * gets both contributions); the harness zeroes the gradients before each forward pass. A frozen
 * parameter ({@code requiresGrad == false}) gets no gradient at all: ops skip that work.
 */
public final class Param {
  private final String name;
  private final Tensor value;
  private final boolean decay;
  private Tensor grad;
  /** The gradient is logically zero but its memory not yet cleared ({@link #zeroGrad}). */
  private boolean gradStale;
  private boolean requiresGrad = true;

  Param(String name, Tensor value, boolean decay) {
    this.name = name;
    this.value = value;
    this.decay = decay;
  }

  public String name() {
    return name;
  }

  public Tensor value() {
    return value;
  }

  public int[] shape() {
    return value.shape();
  }

  /** Whether weight decay applies (matrices and kernels, not biases and norm gains), as nanoGPT decides. */
  public boolean decay() {
    return decay;
  }

  /** The gradient, allocated (as zeros) on first use, for ops that add into it. */
  public Tensor grad() {
    if (grad == null) {
      grad = Tensor.zeros(value.shape());
    } else if (gradStale) {
      grad.zero();
    }
    gradStale = false;
    return grad;
  }

  /**
   * For an op about to write every element of the gradient in one product {@code grad = contribution
   * + beta * grad}: the beta to use, 0 when the gradient is still zero since {@link #zeroGrad} (so
   * its memory need not be cleared first), else 1. Call right before {@link #grad()}.
   */
  public float gradBeta() {
    if (grad == null || gradStale) {
      grad = grad == null ? Tensor.zeros(value.shape()) : grad;
      gradStale = false;
      return 0f;
    }
    return 1f;
  }

  /** Whether backward passes compute this parameter's gradient. */
  public boolean requiresGrad() {
    return requiresGrad;
  }

  public void setRequiresGrad(boolean on) {
    requiresGrad = on;
  }

  /**
   * Zeroes the gradient if it has been allocated: lazily, so that an op that overwrites it whole
   * ({@link #gradBeta()}) saves clearing it; {@link #grad()} clears it first.
   */
  public void zeroGrad() {
    if (grad != null) {
      gradStale = true;
    }
  }

  /** The given parameters without the nulls (an optional bias), in order: an op's {@code params()}. */
  public static java.util.List<Param> list(Param... params) {
    java.util.List<Param> l = new java.util.ArrayList<>();
    for (Param p : params) {
      if (p != null) {
        l.add(p);
      }
    }
    return java.util.List.copyOf(l);
  }

  @Override
  public String toString() {
    return name + Arrays.toString(value.shape());
  }
}
