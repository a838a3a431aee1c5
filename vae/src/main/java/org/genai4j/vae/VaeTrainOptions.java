package org.genai4j.vae;

import java.nio.file.Path;
import org.genai4j.common.train.RunFolder;

/**
 * How to train a VAE.
 *
 * @param epochs passes over the training images
 * @param batchSize images per optimizer step
 * @param learningRate Adam's learning rate (betas 0.9, 0.999, as PyTorch's default)
 * @param seed seed of the run: initialization, batch order and the reparameterization noise
 * @param threads threads a training step splits its batch over (0: the trainer's default, one per
 *     core when ND4J runs single-threaded); the result does not depend on it beyond float rounding
 * @param outDir the run folder ({@link org.genai4j.common.train.RunDir}: configuration, options,
 *     metrics, checkpoints, pictures); null for none
 * @param start how the run starts in {@code outDir} ({@link RunFolder.Start}): a new run (into an empty
 *     folder, or replacing a run with overwrite), or resumed from its last checkpoint
 * @param progressBar show a terminal progress bar
 */
public record VaeTrainOptions(int epochs, int batchSize, double learningRate, long seed, int threads, Path outDir,
    RunFolder.Start start, boolean progressBar) {

  public VaeTrainOptions {
    if (epochs < 1) {
      throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
    }
    if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
      throw new IllegalArgumentException("learningRate must be > 0, got " + learningRate);
    }
    if (threads < 0) {
      throw new IllegalArgumentException("threads must be >= 0 (0: default), got " + threads);
    }
    if (start.resume() && outDir == null) {
      throw new IllegalArgumentException("resume needs the output directory of the run to continue");
    }
  }

  /** With a plain resume flag: resume, or a new run into an empty folder. */
  public VaeTrainOptions(int epochs, int batchSize, double learningRate, long seed, int threads, Path outDir,
      boolean resume, boolean progressBar) {
    this(epochs, batchSize, learningRate, seed, threads, outDir,
        resume ? RunFolder.Start.RESUME : RunFolder.Start.NEW, progressBar);
  }

  /** True when the run continues the one in {@code outDir}. */
  public boolean resume() {
    return start.resume();
  }

  /** With how the run starts in its folder (resume, overwrite, allow changed options). */
  public VaeTrainOptions withStart(RunFolder.Start s) {
    return new VaeTrainOptions(epochs, batchSize, learningRate, seed, threads, outDir, s, progressBar);
  }

  /** The reference settings: 10 epochs, batch 128, Adam 1e-3, seed 42, default threads, with a progress bar. */
  public static VaeTrainOptions defaults(Path outDir) {
    return new VaeTrainOptions(10, 128, 1e-3, 42, 0, outDir, false, true);
  }

  public VaeTrainOptions withEpochs(int e) {
    return new VaeTrainOptions(e, batchSize, learningRate, seed, threads, outDir, start, progressBar);
  }

  public VaeTrainOptions withBatchSize(int b) {
    return new VaeTrainOptions(epochs, b, learningRate, seed, threads, outDir, start, progressBar);
  }

  public VaeTrainOptions withLearningRate(double lr) {
    return new VaeTrainOptions(epochs, batchSize, lr, seed, threads, outDir, start, progressBar);
  }

  public VaeTrainOptions withSeed(long s) {
    return new VaeTrainOptions(epochs, batchSize, learningRate, s, threads, outDir, start, progressBar);
  }

  public VaeTrainOptions withThreads(int t) {
    return new VaeTrainOptions(epochs, batchSize, learningRate, seed, t, outDir, start, progressBar);
  }

  public VaeTrainOptions withOutDir(Path dir) {
    return new VaeTrainOptions(epochs, batchSize, learningRate, seed, threads, dir, start, progressBar);
  }

  public VaeTrainOptions withResume(boolean r) {
    return new VaeTrainOptions(epochs, batchSize, learningRate, seed, threads, outDir,
        r ? RunFolder.Start.RESUME : RunFolder.Start.NEW, progressBar);
  }

  public VaeTrainOptions withProgressBar(boolean p) {
    return new VaeTrainOptions(epochs, batchSize, learningRate, seed, threads, outDir, start, p);
  }
}
