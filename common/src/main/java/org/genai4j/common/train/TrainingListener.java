package org.genai4j.common.train;

/** Observes a training run: progress bars, metric logs, plots. */
public interface TrainingListener extends AutoCloseable {

  /** Called every {@code logEvery} steps and on every evaluation. */
  void onStep(StepRecord record);

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
