package org.genai4j.common.ops;

import java.util.List;

/**
 * An op or module with one input and one output: the forward pass computes the output from the
 * input (keeping what the backward pass needs), the backward pass turns the output's gradient
 * into the input's and ADDS the gradients of the parameters that require them.
 *
 * <p>Buffers: the returned tensors belong to the layer and are overwritten by its next call of
 * the same method. A layer keeps a reference to the input it was given, which must not change
 * before the backward pass; a caller may change an output in place (add a residual to it) only
 * where no layer kept that output as its input.
 */
public interface Layer {

  Tensor forward(StepContext ctx, Tensor x);

  /**
   * The input's gradient given the output's ({@code dy}, which the layer may overwrite); null when
   * the layer was built not to compute it (a first layer, whose input is data).
   */
  Tensor backward(StepContext ctx, Tensor dy);

  /** The parameters this layer owns (not those of layers it only calls). */
  default List<Param> params() {
    return List.of();
  }
}
