package org.genai4j.common.train;

import java.util.Map;

/**
 * Runs a block of whole optimizer steps in place of the {@link Trainer}'s own step, e.g. several
 * local steps on each machine of a cluster followed by averaging their parameters. The trainer
 * keeps the rest: it asks for at most as many steps as remain before its next record, evaluation,
 * checkpoint or epoch end, so those happen at the same steps as without a runner.
 */
public interface StepRunner {

  /**
   * Runs between 1 and {@code maxSteps} optimizer steps from {@code trainer.step()}, drawing each
   * step's batches with {@link Trainer#batches}, and leaves the model and the optimizers' state (for
   * instance through {@link Trainer#restore}) as they are after the block. The trainer then
   * advances its step count by the steps run.
   */
  Block run(Trainer trainer, BatchSource source, int maxSteps);

  /**
   * What a block reports.
   *
   * @param steps the optimizer steps it ran
   * @param metrics the steps' metrics as {@link StepRecord#metrics()} names them, means over the block
   * @param units throughput units (tokens, images) of all its steps
   */
  record Block(int steps, Map<String, Double> metrics, long units) {}
}
