package org.genai4j.llm.finetune;

import java.nio.file.Path;
import org.genai4j.common.ops.Params;
import org.genai4j.common.train.Checkpoint;
import org.genai4j.common.train.RunDir;
import org.genai4j.llm.LlmModel;
import org.genai4j.llm.model.Gpt;
import org.genai4j.llm.model.GptConfig;
import org.genai4j.llm.model.GptTrainable;
import org.genai4j.llm.tokenizer.Tokenizers;

/**
 * A language model with LoRA adapters, as {@code llm train --init-from M --lora-rank R} trains it:
 * built, trained (the adapters only), loaded from its adapter-only checkpoints and its base, and
 * merged into a plain model.
 */
public final class LoraGpt {
  private LoraGpt() {}

  /** A GPT of {@code config} on {@code params} with {@code lora}'s adapters. */
  public static Gpt build(GptConfig config, Params params, LoraConfig lora) {
    Gpt gpt = new Gpt(config, params);
    gpt.addLowRank(lora.rank(), lora.alpha(), lora.targets());
    return gpt;
  }

  /** The model as the trainer and checkpoints see it: only the adapters train and are saved. */
  public static GptTrainable trainable(Gpt gpt, LoraConfig lora) {
    return new GptTrainable(gpt, p -> build(gpt.config(), p, lora), LoraConfig::isAdapter);
  }

  /**
   * Loads checkpoint {@code checkpoint} (adapters only) of LoRA run {@code runDir}: its base, checked
   * against the SHA-256 it was trained on, with the adapters added.
   */
  public static LlmModel load(Path runDir, Path checkpoint) {
    LoraRun run = LoraRun.read(runDir);
    return load(runDir, run, run.base().open(runDir), checkpoint);
  }

  /**
   * Loads LoRA run {@code runDir}'s best checkpoint, else its last ({@link RunDir#loadModel}); the
   * base is checked and opened once, before either.
   */
  public static LlmModel load(Path runDir) {
    LoraRun run = LoraRun.read(runDir);
    LlmModel base = run.base().open(runDir);
    return RunDir.loadModel(runDir, checkpoint -> load(runDir, run, base, checkpoint));
  }

  private static LlmModel load(Path runDir, LoraRun run, LlmModel base, Path checkpoint) {
    GptConfig config = GptConfig.fromJson(RunDir.read(runDir, RunDir.CONFIG));
    Gpt gpt = build(config, Params.forLoading(), run.config());
    LoraRun.copyBase(base.weights(), gpt.params(), runDir);
    Checkpoint c = Checkpoint.read(checkpoint);
    try {
      c.restoreInto(trainable(gpt, run.config()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(checkpoint + ": " + e.getMessage(), e);
    }
    return new LlmModel(gpt, Tokenizers.load(runDir), c.step());
  }

  /** Whether {@code model} has LoRA adapters (it was loaded from a LoRA run). */
  public static boolean hasAdapters(LlmModel model) {
    return model.weights().byName().keySet().stream().anyMatch(LoraConfig::isAdapter);
  }

  /**
   * The same model without adapters: each folded into its weight ({@code W += (alpha / r) B A}).
   * {@code adapted}'s weights are changed in the process: use the returned model.
   */
  public static LlmModel merged(LlmModel adapted) {
    if (adapted.gpt().mergeLowRank() == 0) {
      throw new IllegalArgumentException("this model has no LoRA adapters to merge");
    }
    Gpt plain = new Gpt(adapted.config(), Params.forLoading());
    LoraRun.copyBase(adapted.weights(), plain.params(), null);
    return new LlmModel(plain, adapted.tokenizer(), adapted.step());
  }
}
