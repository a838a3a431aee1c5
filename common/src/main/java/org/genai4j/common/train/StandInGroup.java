package org.genai4j.common.train;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A parameter group that computes its loss and gradients its own way (e.g. a hand-written forward
 * and backward pass) and in every other respect is the group it stands in for: the same name, the
 * same live parameter arrays and buffers, the same {@link #afterUpdate()}. So the optimizer,
 * checkpoints and anything reading the original group (a SameDiff graph's evaluation or sampling)
 * see one set of weights, and the two can be swapped between steps.
 */
public abstract class StandInGroup implements ParameterGroup {

  private final ParameterGroup original;

  protected StandInGroup(ParameterGroup original) {
    this.original = original;
  }

  /** The group whose arrays this one trains. */
  protected ParameterGroup original() {
    return original;
  }

  @Override
  public final String name() {
    return original.name();
  }

  @Override
  public final Map<String, INDArray> parameters() {
    return original.parameters();
  }

  @Override
  public final Map<String, INDArray> buffers() {
    return original.buffers();
  }

  @Override
  public void afterUpdate() {
    original.afterUpdate();
  }
}
