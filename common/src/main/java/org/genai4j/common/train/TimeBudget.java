package org.genai4j.common.train;

import java.time.Duration;

/**
 * Ends a run after a wall-clock budget, so models can be compared at equal training time. The
 * clock starts at the first step the trainer reports or polls.
 */
public final class TimeBudget implements TrainingListener {

  private final long budgetNanos;
  private long startNanos = -1;

  public TimeBudget(Duration budget) {
    if (budget.isNegative() || budget.isZero()) {
      throw new IllegalArgumentException("time budget must be positive, got " + budget);
    }
    this.budgetNanos = budget.toNanos();
  }

  @Override
  public void onStep(StepRecord record) {
    start();
  }

  @Override
  public boolean stopRequested() {
    start();
    return System.nanoTime() - startNanos >= budgetNanos;
  }

  private void start() {
    if (startNanos < 0) {
      startNanos = System.nanoTime();
    }
  }
}
