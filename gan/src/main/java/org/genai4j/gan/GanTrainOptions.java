package org.genai4j.gan;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.genai4j.common.train.RunFolder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How {@link GanTraining} runs: epochs of {@code ceil(N / batchSize)} steps over the training
 * images, the seed of all randomness, the threads a step's batch is split over, where the run
 * folder is, whether to continue the run found there, and the progress bar.
 *
 * @param epochs passes over the data (each step draws a random batch; an epoch is N/batch steps)
 * @param batchSize images per step for each network (DCGAN: 64)
 * @param seed seed of the initialization, batches and noise
 * @param outDir the run folder ({@link org.genai4j.common.train.RunDir}) plus {@code
 *     grid-epoch-NNN.png} and {@code grid.png}
 * @param start how the run starts in {@code outDir} ({@link RunFolder.Start}): a new run (into an empty
 *     folder, or replacing a run with overwrite), or resumed from its last checkpoint
 * @param progressBar show a progress bar on the terminal
 * @param threads threads a training step splits its batch over; 0 for the default (one per core
 *     when ND4J and BLAS run one thread each)
 */
public record GanTrainOptions(int epochs, int batchSize, long seed, Path outDir, RunFolder.Start start,
    boolean progressBar, int threads) {

  public GanTrainOptions {
    if (epochs < 1) {
      throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
    }
    if (batchSize < 2) {
      throw new IllegalArgumentException("batchSize must be >= 2 (batch norm needs 2 or more images), got "
          + batchSize);
    }
    if (outDir == null) {
      throw new IllegalArgumentException("outDir (the run folder) is required");
    }
    if (threads < 0) {
      throw new IllegalArgumentException("threads must be >= 0 (0: the default), got " + threads);
    }
  }

  /** With a plain resume flag: resume, or a new run into an empty folder. */
  public GanTrainOptions(int epochs, int batchSize, long seed, Path outDir, boolean resume, boolean progressBar,
      int threads) {
    this(epochs, batchSize, seed, outDir, resume ? RunFolder.Start.RESUME : RunFolder.Start.NEW, progressBar, threads);
  }

  /** True when the run continues the one in {@code outDir}. */
  public boolean resume() {
    return start.resume();
  }

  /** With how the run starts in its folder (resume, overwrite, allow changed options). */
  public GanTrainOptions withStart(RunFolder.Start s) {
    return new GanTrainOptions(epochs, batchSize, seed, outDir, s, progressBar, threads);
  }

  /** The reference settings: batch 64, seed 42, a progress bar, no resume, the default threads. */
  public static GanTrainOptions of(int epochs, Path outDir) {
    return new GanTrainOptions(epochs, 64, 42, outDir, false, true, 0);
  }

  public GanTrainOptions withBatchSize(int b) {
    return new GanTrainOptions(epochs, b, seed, outDir, start, progressBar, threads);
  }

  public GanTrainOptions withSeed(long s) {
    return new GanTrainOptions(epochs, batchSize, s, outDir, start, progressBar, threads);
  }

  public GanTrainOptions withResume(boolean r) {
    return new GanTrainOptions(epochs, batchSize, seed, outDir, r ? RunFolder.Start.RESUME : RunFolder.Start.NEW,
        progressBar, threads);
  }

  public GanTrainOptions withProgressBar(boolean p) {
    return new GanTrainOptions(epochs, batchSize, seed, outDir, start, p, threads);
  }

  public GanTrainOptions withThreads(int n) {
    return new GanTrainOptions(epochs, batchSize, seed, outDir, start, progressBar, n);
  }

  /** The options as JSON, for the run folder's {@code train.json}. */
  public String toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("epochs", epochs);
    m.put("batchSize", batchSize);
    m.put("seed", seed);
    m.put("outDir", outDir.toString());
    m.put("resume", start.resume());
    m.put("progressBar", progressBar);
    m.put("threads", threads);
    try {
      return new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(m);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
