package org.genai4j.common.train;

import java.util.Map;

/**
 * What one logged step reports to listeners.
 *
 * @param step the number of optimizer steps completed
 * @param totalSteps the run's target
 * @param metrics flat scalars: {@code loss} (first group), {@code <group>/loss}, {@code
 *     <group>/lr}, {@code <group>/grad_norm} and each group's own metrics as {@code <group>/<name>}
 * @param unitsPerSecond throughput (tokens/s or images/s) since the previous record
 * @param elapsedSeconds wall time since this run (or resume) started
 * @param evaluation evaluation results if this step evaluated, else empty
 */
public record StepRecord(
    long step,
    long totalSteps,
    Map<String, Double> metrics,
    double unitsPerSecond,
    double elapsedSeconds,
    Map<String, Double> evaluation) {

  /** The main loss (the first parameter group's). */
  public double loss() {
    return metrics.getOrDefault("loss", Double.NaN);
  }
}
