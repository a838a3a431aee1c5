package org.genai4j.common.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The folder a training run owns, the same for every family:
 *
 * <pre>
 *   config.json         the model's configuration (what it takes to rebuild the model)
 *   train.json          the training options
 *   metrics.jsonl       one JSON object per logged step (plots are made from it)
 *   checkpoints/last/   the latest checkpoint, for resuming ({@link Checkpoint})
 *   checkpoints/best/   the checkpoint with the best evaluation so far, when there is one
 * </pre>
 *
 * plus what a family adds (a tokenizer, sample grids). One rule for an existing folder: a new run
 * starts only in a folder that holds no run ({@link #checkNew}); continuing one takes
 * {@code --resume}.
 */
public final class RunDir {
  private RunDir() {}

  public static final String CONFIG = "config.json";
  public static final String TRAIN = "train.json";
  public static final String METRICS = "metrics.jsonl";
  public static final String LAST = "checkpoints/last";
  public static final String BEST = "checkpoints/best";

  /** True when {@code dir} holds (the start of) a run: a configuration or a checkpoint. */
  public static boolean holdsRun(Path dir) {
    return Files.isRegularFile(dir.resolve(CONFIG)) || Checkpoint.exists(dir.resolve(LAST));
  }

  /**
   * Fails with a one-line message when a new run would write into {@code dir} that already holds
   * a run, whose files it would overwrite.
   */
  public static void checkNew(Path dir) {
    if (holdsRun(dir)) {
      throw new IllegalArgumentException("output folder " + dir + " already holds a run; continue it with --resume"
          + " or choose another --out");
    }
  }

  /** The checkpoint to load a trained model from: the best one if the run has one, else the last. */
  public static Path checkpointToLoad(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("run folder not found: " + dir.toAbsolutePath());
    }
    Path best = dir.resolve(BEST);
    if (Checkpoint.exists(best)) {
      return best;
    }
    Path last = dir.resolve(LAST);
    if (Checkpoint.exists(last)) {
      return last;
    }
    throw new IllegalArgumentException("no checkpoint in " + dir.toAbsolutePath() + " (expected " + BEST + " or "
        + LAST + "; has the training written one yet?)");
  }

  /** Reads {@code dir/name} as text; a one-line error when it is missing. */
  public static String read(Path dir, String name) {
    Path f = dir.resolve(name);
    if (!Files.isRegularFile(f)) {
      throw new IllegalArgumentException("no " + name + " in " + dir.toAbsolutePath() + " (is it a run folder?)");
    }
    try {
      return Files.readString(f);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + f + ": " + e.getMessage(), e);
    }
  }

  /** Creates the folder and writes {@code dir/name} atomically. */
  public static void write(Path dir, String name, String content) {
    org.genai4j.common.util.AtomicFile.write(dir.resolve(name), name, f -> Files.writeString(f, content));
  }
}
