package org.genai4j.llm;

import java.nio.file.Path;
import org.genai4j.common.ops.Params;
import org.genai4j.common.train.Checkpoint;
import org.genai4j.common.train.RunDir;
import org.genai4j.llm.checkpoint.HuggingFaceCheckpoint;
import org.genai4j.llm.checkpoint.Llama2cCheckpoint;
import org.genai4j.llm.model.Gpt;
import org.genai4j.llm.model.GptConfig;
import org.genai4j.llm.model.GptTrainable;
import org.genai4j.llm.tokenizer.Tokenizer;
import org.genai4j.llm.tokenizer.Tokenizers;

/**
 * A GPT ready to use: the model (its configuration and weights) and the tokenizer it was trained
 * with. Load one from a run folder with {@link #load}; generate with {@link TextGeneration},
 * evaluate with {@link LlmEvaluation}. Not thread-safe (the model's ops own their buffers).
 *
 * @param gpt the model, with its weights ({@link Gpt#params()})
 * @param tokenizer the tokenizer whose ids the model reads
 * @param step the training step the weights come from
 */
public record LlmModel(Gpt gpt, Tokenizer tokenizer, long step) {

  /** The tokenizer file a run folder holds beside {@link RunDir}'s files. */
  public static final String TOKENIZER = Tokenizers.FILE;

  public LlmModel {
    if (tokenizer.vocabSize() != gpt.config().vocabSize()) {
      throw new IllegalArgumentException("tokenizer has " + tokenizer.vocabSize() + " tokens but the model's vocabSize is "
          + gpt.config().vocabSize());
    }
  }

  public GptConfig config() {
    return gpt.config();
  }

  /** The weights by name ({@code transformer.wte.weight}, ...). */
  public Params weights() {
    return gpt.params();
  }

  public long parameterCount() {
    return gpt.params().count();
  }

  /**
   * Opens a model wherever it is: a genai4j run folder, a Hugging Face folder ({@code config.json}
   * with safetensors weights: GPT-2 or Llama), or a llama2.c {@code .bin} file; a one-line error
   * saying what was expected otherwise.
   */
  public static LlmModel open(Path path) {
    if (Llama2cCheckpoint.isIn(path)) {
      return Llama2cCheckpoint.load(path);
    }
    // A Hugging Face folder has its weights beside config.json; a run keeps them under checkpoints/.
    if (HuggingFaceCheckpoint.isIn(path)) {
      return HuggingFaceCheckpoint.load(path);
    }
    if (java.nio.file.Files.isRegularFile(path.resolve(RunDir.CONFIG))) {
      return load(path);
    }
    throw notAModel(path);
  }

  /**
   * Writes this model as a run folder {@code dir} that {@link #open} reads: {@code config.json},
   * {@code tokenizer.json} and the weights as the checkpoint {@code checkpoints/last} (no optimizer
   * state). The folder's files are replaced atomically.
   */
  public void save(Path dir) {
    if (weights().byName().keySet().stream().anyMatch(org.genai4j.llm.finetune.LoraConfig::isAdapter)) {
      throw new IllegalArgumentException("this model has LoRA adapters; merge them first (LoraGpt.merged, 'llm"
          + " merge-lora') to save it whole");
    }
    RunDir.write(dir, RunDir.CONFIG, config().toJson());
    tokenizer.save(dir);
    Checkpoint.of(new GptTrainable(gpt), null, step, 0, java.util.Map.of()).write(dir.resolve(RunDir.LAST));
  }

  /** The one-line error for a path that is none of the models {@link #open} takes. */
  public static IllegalArgumentException notAModel(Path path) {
    return new IllegalArgumentException(path + " is not a model: expected a genai4j run folder (from 'llm train'), a"
        + " Hugging Face folder (config.json and model.safetensors) or a llama2.c .bin file");
  }

  /**
   * Loads the run in {@code runDir}: its best checkpoint if it has one, else (or when the best one
   * does not load) its last ({@link RunDir#loadModel}).
   */
  public static LlmModel load(Path runDir) {
    if (org.genai4j.llm.finetune.LoraRun.isIn(runDir)) {
      return org.genai4j.llm.finetune.LoraGpt.load(runDir);
    }
    return RunDir.loadModel(runDir, checkpoint -> load(runDir, checkpoint));
  }

  /**
   * Loads checkpoint folder {@code checkpoint} with the configuration ({@code config.json}) and
   * tokenizer ({@code tokenizer.json}) of run folder {@code runDir}; a one-line error naming the
   * file or tensor that is missing or does not fit.
   */
  public static LlmModel load(Path runDir, Path checkpoint) {
    if (!java.nio.file.Files.isDirectory(runDir)) {
      throw new IllegalArgumentException("run folder not found: " + runDir.toAbsolutePath());
    }
    if (org.genai4j.llm.finetune.LoraRun.isIn(runDir)) {
      // A LoRA run's checkpoints hold the adapters only; the base comes from its reference.
      return org.genai4j.llm.finetune.LoraGpt.load(runDir, checkpoint);
    }
    GptConfig config = GptConfig.fromJson(RunDir.read(runDir, RunDir.CONFIG));
    Tokenizer tokenizer = Tokenizers.load(runDir);
    Checkpoint c = Checkpoint.read(checkpoint);
    Gpt gpt = new Gpt(config, Params.forLoading(c.modelValues()));
    try {
      c.restoreInto(new GptTrainable(gpt));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(checkpoint + ": " + e.getMessage(), e);
    }
    return new LlmModel(gpt, tokenizer, c.step());
  }
}
