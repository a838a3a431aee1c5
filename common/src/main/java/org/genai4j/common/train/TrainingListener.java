package org.genai4j.common.train;

/** Observes a training run: progress bars, metric logs, plots. */
public interface TrainingListener extends AutoCloseable {

  /**
   * Called when the listener is added to {@code trainer}, so a listener that changes how the
   * trainer computes (e.g. sets its {@link Trainer#setGradientSource gradient source}) can do so.
   */
  default void attach(Trainer trainer) {}

  /** Called every {@code logEvery} steps and on every evaluation. */
  void onStep(StepRecord record);

  /**
   * Called after the last step of every epoch (when the batch source has epochs), after that
   * step's record, evaluation and checkpoint; {@code epoch} counts from 1.
   */
  default void onEpochEnd(long epoch, StepRecord record) {}

  /**
   * Polled after every step: true ends the run early (after a final evaluation, record and
   * checkpoint), as a wall-clock budget does.
   */
  default boolean stopRequested() {
    return false;
  }

  /** Called once when the run ends (also on failure); release files here. */
  @Override
  default void close() {}
}
