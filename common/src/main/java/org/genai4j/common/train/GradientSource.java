package org.genai4j.common.train;

import java.util.Map;
import org.genai4j.common.ops.StepContext;

/**
 * Where a {@link Trainer} gets a parameter group's loss and gradients for a whole batch. By default
 * the trainer computes them itself, splitting the batch over its threads; a source set with {@link
 * Trainer#setGradientSource} computes them elsewhere (e.g. over a cluster's tasks) while the
 * trainer keeps the rest of the step: batches, clipping, the optimizer, checkpoints and records.
 */
public interface GradientSource {

  /**
   * The loss, metrics and gradients of {@code group} (the {@code groupIndex}-th of the model's
   * {@link Trainable#parameterGroups()}) on {@code batch}, in the context of the whole batch ({@code
   * ctx} is shard 0 of 1). The gradient arrays are only read until the next call.
   */
  Gradients gradients(int groupIndex, ParameterGroup group, Batch batch, StepContext ctx);

  /**
   * Scalars about the step just run that go into its record besides the losses (e.g. where its time
   * went); the source starts collecting anew after this call.
   */
  default Map<String, Double> takeStepMetrics() {
    return Map.of();
  }
}
