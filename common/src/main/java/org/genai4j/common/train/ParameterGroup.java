package org.genai4j.common.train;

import java.util.Map;
import org.genai4j.common.ops.StepContext;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A set of named trainable arrays with one loss, stepped by one optimizer. The GPT and the VAE
 * have one group, a GAN two (discriminator, generator). The trainer updates the arrays returned by
 * {@link #parameters()} in place, so they must be the model's live arrays.
 */
public interface ParameterGroup {

  /** A short, stable name, used in logs and checkpoints (e.g. {@code "gpt"}, {@code "D"}). */
  String name();

  /** The live trainable arrays by name; iteration order must be stable. */
  Map<String, INDArray> parameters();

  /**
   * Non-trainable state saved in checkpoints but not optimized (e.g. batch-norm running
   * statistics), as PyTorch's buffers.
   */
  default Map<String, INDArray> buffers() {
    return Map.of();
  }

  /**
   * Computes the loss on {@code batch} and its gradient for every array of {@link #parameters()}.
   * The gradient arrays belong to the group and are overwritten by its next call.
   */
  Gradients computeGradients(Batch batch, StepContext ctx);

  /**
   * True when the group may be called for several shards of a batch at once, from several
   * threads ({@code ctx.shard()} tells which), returning arrays of each shard's own whose sum is
   * the batch's gradient.
   */
  default boolean shardable() {
    return false;
  }

  /** Called after the optimizer changed the parameters (e.g. to update running statistics). */
  default void afterUpdate() {}
}
