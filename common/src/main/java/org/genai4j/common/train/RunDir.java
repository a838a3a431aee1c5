package org.genai4j.common.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

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
 * plus what a family adds (a tokenizer, sample grids), {@code history.jsonl} (option changes a
 * resumed run accepted) and {@code .lock}. A training holds the folder through {@link RunFolder},
 * which decides what an existing folder allows (a new run, {@code --resume}, {@code --overwrite}).
 */
public final class RunDir {
  private RunDir() {}

  public static final String CONFIG = "config.json";
  public static final String TRAIN = "train.json";
  public static final String METRICS = "metrics.jsonl";
  public static final String LAST = "checkpoints/last";
  public static final String BEST = "checkpoints/best";

  /**
   * True when {@code dir} holds a run: a checkpoint, or the configuration and options a run writes
   * first (both, so that a folder with some other {@code config.json} is not taken for a run).
   */
  public static boolean holdsRun(Path dir) {
    return Checkpoint.exists(dir.resolve(LAST))
        || (Files.isRegularFile(dir.resolve(CONFIG)) && Files.isRegularFile(dir.resolve(TRAIN)));
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

  /**
   * Loads a model from the run in {@code dir} with {@code load} (which reads a checkpoint folder and
   * fails with an {@link IllegalArgumentException} on a corrupt one): the best checkpoint, or, when
   * it is missing or does not load, the last one, saying so on {@code System.err}. Fails with one
   * line naming both checkpoints and their errors when neither loads.
   */
  public static <M> M loadModel(Path dir, Function<Path, M> load) {
    Path first = checkpointToLoad(dir);
    try {
      return load.apply(first);
    } catch (IllegalArgumentException | UncheckedIOException e) {
      Path last = dir.resolve(LAST);
      if (first.equals(last) || !Checkpoint.exists(last)) {
        throw e;
      }
      System.err.println("warning: " + first + " does not load (" + firstLine(e) + "); loading " + last
          + " instead");
      try {
        return load.apply(last);
      } catch (IllegalArgumentException | UncheckedIOException e2) {
        throw new IllegalArgumentException("no intact checkpoint in " + dir + ": " + BEST + ": " + firstLine(e)
            + "; " + LAST + ": " + firstLine(e2), e2);
      }
    }
  }

  private static String firstLine(Exception e) {
    return String.valueOf(e.getMessage()).lines().findFirst().orElse("");
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
