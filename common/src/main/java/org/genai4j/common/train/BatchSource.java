package org.genai4j.common.train;

import java.util.Random;

/**
 * Where the {@link Trainer} takes its batches from. The trainer hands over a random generator
 * derived from the run's seed and the step number, so a resumed run draws the same batches.
 */
@FunctionalInterface
public interface BatchSource {
  /** The next training batch; draw all randomness from {@code rng}. */
  Batch next(Random rng);

  /**
   * Steps per epoch when the source walks through a dataset in epochs (the trainer then tells the
   * step its epoch and listeners when an epoch ends); 0 when it has no epochs.
   */
  default long stepsPerEpoch() {
    return 0;
  }
}
