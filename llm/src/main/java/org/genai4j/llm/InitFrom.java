package org.genai4j.llm;

import java.nio.file.Path;
import org.genai4j.llm.finetune.LoraConfig;

/**
 * Where a training starts instead of random weights, nanoGPT's {@code init_from}: a model {@link
 * LlmModel#open} takes (a run, a Hugging Face GPT-2 folder, a llama2.c file), whose configuration
 * and tokenizer the run keeps, optionally with LoRA adapters (then only they train and the run's
 * checkpoints hold only them).
 *
 * @param model the base model ({@code --init-from})
 * @param lora the adapters to train on the frozen base, or null to train the whole model
 * @param window the training windows' length in tokens, at most the model's context (nanoGPT's
 *     cropped {@code block_size}: shorter windows train faster); 0 for the model's context
 */
public record InitFrom(Path model, LoraConfig lora, int window) {
  public InitFrom {
    if (model == null) {
      throw new IllegalArgumentException("--init-from must name a model");
    }
    if (window < 0) {
      throw new IllegalArgumentException("--block must be >= 1, got " + window);
    }
  }

  /** Training on windows of the model's full context. */
  public InitFrom(Path model, LoraConfig lora) {
    this(model, lora, 0);
  }
}
