package org.genai4j.common.train;

import java.io.PrintStream;
import java.time.Duration;

/**
 * Ends a run after a wall-clock budget, so models can be compared at equal training time. The
 * clock starts at the first step the trainer reports or polls. With {@link #showingProgress} it
 * also prints a progress line (elapsed of budget, step, loss, throughput) every few seconds, since
 * a step-count progress bar cannot know when a budgeted run ends.
 */
public final class TimeBudget implements TrainingListener {

  private final long budgetNanos;
  private long startNanos = -1;
  private String task;
  private String unit;
  private PrintStream out;
  private long lastPrintNanos;

  public TimeBudget(Duration budget) {
    if (budget.isNegative() || budget.isZero()) {
      throw new IllegalArgumentException("time budget must be positive, got " + budget);
    }
    this.budgetNanos = budget.toNanos();
  }

  /** Prints {@code task} progress lines with throughput in {@code unit}/s to stderr. */
  public TimeBudget showingProgress(String task, String unit) {
    this.task = task;
    this.unit = unit;
    this.out = System.err;
    return this;
  }

  @Override
  public void onStep(StepRecord record) {
    start();
    long now = System.nanoTime();
    if (out != null && (now - lastPrintNanos > 5e9 || record.step() == record.totalSteps() || stopRequested())) {
      lastPrintNanos = now;
      StringBuilder line = new StringBuilder(String.format("%s %s / %s  step %d  loss %.4f  %.0f %s/s", task,
          clock(now - startNanos), clock(budgetNanos), record.step(), record.loss(), record.unitsPerSecond(), unit));
      record.evaluation().forEach((k, v) -> line.append(String.format("  %s %.4f", k, v)));
      out.println(line);
    }
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

  private static String clock(long nanos) {
    long s = Math.max(0, nanos / 1_000_000_000L);
    return String.format("%d:%02d", s / 60, s % 60);
  }
}
