package org.genai4j.llm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.genai4j.common.train.Checkpoint;
import org.genai4j.common.train.Trainer;
import org.genai4j.llm.model.GptConfig;
import org.genai4j.llm.model.GptModel;
import org.genai4j.llm.tokenizer.Tokenizer;
import org.genai4j.llm.tokenizer.Tokenizers;

/**
 * The run directory a training writes and generation and evaluation read:
 *
 * <pre>
 *   gpt.json        the model configuration (GptConfig)
 *   tokenizer.json  the tokenizer
 *   train.json      the training options
 *   best.ckpt       weights with the best validation loss (common's Checkpoint)
 *   last.ckpt       the latest weights and optimizer state (for resume)
 *   metrics.jsonl   one JSON record per logged step
 * </pre>
 */
public final class LlmModelDir {
  private LlmModelDir() {}

  public static final String CONFIG = "gpt.json";
  public static final String OPTIONS = "train.json";
  public static final String METRICS = "metrics.jsonl";

  /** Loads the best checkpoint of the run in {@code dir} (the last one if there is no best). */
  public static LlmModel load(Path dir) {
    Path best = dir.resolve(Trainer.BEST);
    return load(dir, Checkpoint.exists(best) ? best : dir.resolve(Trainer.LAST));
  }

  /** Loads a given checkpoint file with the configuration and tokenizer of {@code dir}. */
  public static LlmModel load(Path dir, Path checkpoint) {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("model directory not found: " + dir.toAbsolutePath());
    }
    GptConfig config = readConfig(dir);
    Tokenizer tokenizer = Tokenizers.load(dir);
    if (!Checkpoint.exists(checkpoint)) {
      throw new IllegalArgumentException("no checkpoint in " + dir.toAbsolutePath() + " (expected " + Trainer.BEST
          + " or " + Trainer.LAST + "; has the training written one yet?)");
    }
    Checkpoint c = Checkpoint.read(checkpoint);
    GptModel model = new GptModel(config, 1, 1, false, 0);
    c.restoreInto(model);
    return new LlmModel(config, tokenizer, model.weights(), c.step());
  }

  public static GptConfig readConfig(Path dir) {
    Path file = dir.resolve(CONFIG);
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("no model configuration in " + dir.toAbsolutePath() + " (expected " + CONFIG + ")");
    }
    try {
      return GptConfig.fromJson(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + file + ": " + e.getMessage(), e);
    }
  }

  static void writeConfig(Path dir, GptConfig config) {
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve(CONFIG), config.toJson());
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + dir.resolve(CONFIG) + ": " + e.getMessage(), e);
    }
  }
}
