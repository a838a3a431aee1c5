package org.genai4j.common.train;

/** The learning rate as a function of the optimizer step (0-based). */
@FunctionalInterface
public interface LrSchedule {

  double lr(long step);

  /** The same rate at every step. */
  static LrSchedule constant(double lr) {
    return step -> lr;
  }

  /**
   * nanoGPT's schedule: linear warmup from 0 to {@code maxLr} over {@code warmupSteps}, then a
   * cosine decay down to {@code minLr} at {@code decaySteps}, and {@code minLr} after that.
   */
  static LrSchedule warmupCosine(double maxLr, double minLr, long warmupSteps, long decaySteps) {
    if (maxLr <= 0 || minLr < 0 || minLr > maxLr) {
      throw new IllegalArgumentException(
          "need 0 <= minLr <= maxLr and maxLr > 0, got maxLr=" + maxLr + " minLr=" + minLr);
    }
    if (warmupSteps < 0 || decaySteps < warmupSteps) {
      throw new IllegalArgumentException(
          "need 0 <= warmupSteps <= decaySteps, got warmup=" + warmupSteps + " decay=" + decaySteps);
    }
    return step -> {
      if (step < warmupSteps) {
        return maxLr * (step + 1) / (warmupSteps + 1);
      }
      if (step >= decaySteps) {
        return minLr;
      }
      double progress = (double) (step - warmupSteps) / Math.max(1, decaySteps - warmupSteps);
      return minLr + 0.5 * (1 + Math.cos(Math.PI * progress)) * (maxLr - minLr);
    };
  }
}
