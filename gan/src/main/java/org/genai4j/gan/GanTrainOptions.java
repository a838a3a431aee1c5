package org.genai4j.gan;

import java.nio.file.Path;

/**
 * How {@link GanTraining} runs: epochs of {@code ceil(N / batchSize)} steps over the training
 * images, the seed of all randomness, where checkpoints, metrics and grids go, and whether to
 * continue the run found there.
 *
 * @param epochs passes over the data (each step draws a random batch; an epoch is N/batch steps)
 * @param batchSize images per step for each network (DCGAN: 64)
 * @param seed seed of the initialization, batches and noise
 * @param outDir run directory: {@code last.ckpt}, {@code metrics.jsonl}, {@code config.json},
 *     {@code grid-epoch-NNN.png}
 * @param resume continue from {@code outDir/last.ckpt}; without it an existing checkpoint is an
 *     error (so a run is never silently overwritten)
 * @param progressBar show a progress bar on the terminal
 */
public record GanTrainOptions(int epochs, int batchSize, long seed, Path outDir, boolean resume, boolean progressBar) {

  public GanTrainOptions {
    if (epochs < 1) {
      throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
    }
    if (batchSize < 2) {
      throw new IllegalArgumentException("batch size must be >= 2 (batch norm needs 2 or more images), got " + batchSize);
    }
    if (outDir == null) {
      throw new IllegalArgumentException("an output directory is required");
    }
  }

  /** The reference settings: batch 64, seed 42, a progress bar, no resume. */
  public static GanTrainOptions of(int epochs, Path outDir) {
    return new GanTrainOptions(epochs, 64, 42, outDir, false, true);
  }

  public GanTrainOptions withBatchSize(int b) {
    return new GanTrainOptions(epochs, b, seed, outDir, resume, progressBar);
  }

  public GanTrainOptions withSeed(long s) {
    return new GanTrainOptions(epochs, batchSize, s, outDir, resume, progressBar);
  }

  public GanTrainOptions withResume(boolean r) {
    return new GanTrainOptions(epochs, batchSize, seed, outDir, r, progressBar);
  }

  public GanTrainOptions withProgressBar(boolean p) {
    return new GanTrainOptions(epochs, batchSize, seed, outDir, resume, p);
  }
}
