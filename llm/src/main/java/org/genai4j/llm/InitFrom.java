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
 */
public record InitFrom(Path model, LoraConfig lora) {
  public InitFrom {
    if (model == null) {
      throw new IllegalArgumentException("--init-from must name a model");
    }
  }
}
