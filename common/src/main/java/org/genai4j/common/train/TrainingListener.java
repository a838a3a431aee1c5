package org.genai4j.common.train;

/** Observes a training run: progress bars, metric logs, plots. */
public interface TrainingListener extends AutoCloseable {

  /** Called every {@code logEvery} steps and on every evaluation. */
  void onStep(StepRecord record);

  /** Called once when the run ends (also on failure); release files here. */
  @Override
  default void close() {}
}
