package org.genai4j.common.util;

import java.io.PrintStream;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of long work that is not a training run (an evaluation over many images, sampling): a
 * progress bar on a terminal, else a plain line at most every 30 s, so CI logs stay readable.
 * Training runs use {@code ProgressBarListener} instead.
 */
public final class Progress implements AutoCloseable {

  private final String task;
  private final String unit;
  private final long total;
  private final PrintStream plainOut;
  private final long startNanos = System.nanoTime();
  private ProgressBar bar;
  private long done;
  private double lastPrint = Double.NEGATIVE_INFINITY;

  private Progress(String task, String unit, long total, PrintStream plainOut) {
    this.task = task;
    this.unit = unit;
    this.total = total;
    this.plainOut = plainOut;
  }

  /** Progress of {@code total} {@code unit}s of {@code task}, on the terminal or as plain lines on stderr. */
  public static Progress of(String task, String unit, long total) {
    return new Progress(task, unit, total, System.console() == null ? System.err : null);
  }

  /** Always plain lines to {@code out} (at most every 30 s, and when the work is done). */
  public static Progress plain(String task, String unit, long total, PrintStream out) {
    return new Progress(task, unit, total, out);
  }

  /** Progress that reports nothing (library calls that did not ask for it). */
  public static Progress silent() {
    return new Progress("", "", 0, null);
  }

  /** Records {@code n} more units done. */
  public void advance(long n) {
    done += n;
    if (total <= 0) {
      return;
    }
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    if (plainOut != null) {
      if (seconds - lastPrint >= 30 || done >= total) {
        lastPrint = seconds;
        plainOut.printf("%s %d/%d %s (%.0f%%)  %.0f %s/s  elapsed %.0fs%n", task, done, total, unit,
            100.0 * done / total, done / Math.max(seconds, 1e-9), unit, seconds);
        plainOut.flush();
      }
      return;
    }
    if (bar == null) {
      bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setUnit(" " + unit, 1)
          .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).showSpeed().build();
    }
    bar.stepTo(done);
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
      bar = null;
    }
  }
}
