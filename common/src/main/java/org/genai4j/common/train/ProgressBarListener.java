package org.genai4j.common.train;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A terminal progress bar: step, loss, throughput and ETA. */
public final class ProgressBarListener implements TrainingListener {

  private final String task;
  private final String unit;
  private ProgressBar bar;

  /**
   * @param task the bar's label (e.g. {@code "gpt"})
   * @param unit the throughput unit (e.g. {@code "tok"} or {@code "img"})
   */
  public ProgressBarListener(String task, String unit) {
    this.task = task;
    this.unit = unit;
  }

  @Override
  public void onStep(StepRecord r) {
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
    StringBuilder msg = new StringBuilder(String.format("loss %.4f  %.0f %s/s", r.loss(), r.unitsPerSecond(), unit));
    r.evaluation().forEach((k, v) -> msg.append(String.format("  %s %.4f", k, v)));
    bar.setExtraMessage(msg.toString());
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
      bar = null;
    }
  }
}
