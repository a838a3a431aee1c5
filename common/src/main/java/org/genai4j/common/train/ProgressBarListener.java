package org.genai4j.common.train;

import java.io.PrintStream;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows training progress: step, loss, throughput and ETA. On a terminal it draws a progress bar;
 * without one (CI logs, output piped to a file) it prints a plain line at most every {@code
 * intervalSeconds} (and at every evaluation and the last step), so logs stay readable.
 */
public final class ProgressBarListener implements TrainingListener {

  private final String task;
  private final String unit;
  private final PrintStream plainOut;
  private final double intervalSeconds;
  private ProgressBar bar;
  private double lastPrint = Double.NEGATIVE_INFINITY;
  private long firstStep = -1;
  private double firstElapsed;

  /**
   * A progress bar on a terminal, else plain lines on {@code System.err} every 30 s.
   *
   * @param task the label (e.g. {@code "gpt"})
   * @param unit the throughput unit (e.g. {@code "tok"} or {@code "img"})
   */
  public ProgressBarListener(String task, String unit) {
    this(task, unit, System.console() == null ? System.err : null, 30);
  }

  private ProgressBarListener(String task, String unit, PrintStream plainOut, double intervalSeconds) {
    this.task = task;
    this.unit = unit;
    this.plainOut = plainOut;
    this.intervalSeconds = intervalSeconds;
  }

  /** Always plain lines to {@code out}, at most every {@code intervalSeconds} of training time. */
  public static ProgressBarListener plain(String task, String unit, PrintStream out, double intervalSeconds) {
    return new ProgressBarListener(task, unit, out, intervalSeconds);
  }

  @Override
  public void onStep(StepRecord r) {
    if (firstStep < 0) {
      firstStep = r.step();
      firstElapsed = r.elapsedSeconds();
    }
    // A record without a step's loss (the evaluation before the first step) shows its evaluation only.
    StringBuilder msg = new StringBuilder(Double.isNaN(r.loss()) ? ""
        : String.format("loss %.4f  %.0f %s/s", r.loss(), r.unitsPerSecond(), unit));
    r.evaluation().forEach((k, v) -> msg.append(msg.length() == 0 ? "" : "  ").append(String.format("%s %.4f", k, v)));
    if (plainOut != null) {
      boolean due = r.elapsedSeconds() - lastPrint >= intervalSeconds;
      if (due || !r.evaluation().isEmpty() || r.step() == r.totalSteps()) {
        lastPrint = r.elapsedSeconds();
        plainOut.printf("%s step %d/%d (%.0f%%)  %s  elapsed %s  eta %s%n", task, r.step(), r.totalSteps(),
            100.0 * r.step() / Math.max(1, r.totalSteps()), msg, duration(r.elapsedSeconds()), eta(r));
        plainOut.flush();
      }
      return;
    }
    if (bar == null) {
      bar = new ProgressBarBuilder()
          .setTaskName(task)
          .setInitialMax(r.totalSteps())
          .setStyle(ProgressBarStyle.ASCII)
          .setUpdateIntervalMillis(500)
          .continuousUpdate()
          .build();
    }
    bar.stepTo(r.step());
    bar.setExtraMessage(msg.toString());
  }

  private String eta(StepRecord r) {
    long done = r.step() - firstStep;
    double spent = r.elapsedSeconds() - firstElapsed;
    if (done <= 0 && r.step() > 0) {
      done = r.step(); // first record of a fresh run: elapsed time covers steps 0..step
      spent = r.elapsedSeconds();
    }
    if (done <= 0) {
      return "?";
    }
    return duration(spent / done * (r.totalSteps() - r.step()));
  }

  static String duration(double seconds) {
    long s = Math.round(seconds);
    if (s >= 3600) {
      return String.format("%dh%02dm", s / 3600, (s / 60) % 60);
    }
    if (s >= 60) {
      return String.format("%dm%02ds", s / 60, s % 60);
    }
    return s + "s";
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
      bar = null;
    }
  }
}
