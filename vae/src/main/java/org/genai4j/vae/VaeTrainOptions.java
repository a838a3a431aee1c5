package org.genai4j.vae;

import java.nio.file.Path;

/**
 * How to train a VAE.
 *
 * @param epochs passes over the training images
 * @param batchSize images per optimizer step
 * @param learningRate Adam's learning rate (betas 0.9, 0.999, as PyTorch's default)
 * @param seed seed of the run: initialization, batch order and the reparameterization noise
 * @param outDir the run directory (config, checkpoints, metrics log, pictures); null for none
 * @param resume continue from {@code outDir/last.ckpt} when it exists
 * @param progressBar show a terminal progress bar
 */
public record VaeTrainOptions(
    int epochs, int batchSize, double learningRate, long seed, Path outDir, boolean resume, boolean progressBar) {

  public VaeTrainOptions {
    if (epochs < 1) throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
    if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
      throw new IllegalArgumentException("learning rate must be > 0, got " + learningRate);
    }
    if (resume && outDir == null) {
      throw new IllegalArgumentException("resume needs an output directory holding last.ckpt");
    }
  }

  /** The reference settings: 10 epochs, batch 128, Adam 1e-3, seed 42, with a progress bar. */
  public static VaeTrainOptions defaults(Path outDir) {
    return new VaeTrainOptions(10, 128, 1e-3, 42, outDir, false, true);
  }

  public VaeTrainOptions withEpochs(int e) {
    return new VaeTrainOptions(e, batchSize, learningRate, seed, outDir, resume, progressBar);
  }

  public VaeTrainOptions withResume(boolean r) {
    return new VaeTrainOptions(epochs, batchSize, learningRate, seed, outDir, r, progressBar);
  }

  public VaeTrainOptions withProgressBar(boolean p) {
    return new VaeTrainOptions(epochs, batchSize, learningRate, seed, outDir, resume, p);
  }
}
