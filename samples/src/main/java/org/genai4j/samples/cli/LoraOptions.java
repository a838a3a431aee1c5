package org.genai4j.samples.cli;

import org.genai4j.llm.finetune.LoraConfig;
import picocli.CommandLine.Option;

/**
 * The LoRA flags every fine-tuning and training command takes: low-rank adapters on the chosen
 * linear layers, the base frozen, only the adapters (and a new head) trained and saved.
 */
public final class LoraOptions {

  @Option(names = "--lora-rank", defaultValue = "0", paramLabel = "R",
      description = "LoRA: train rank-R adapters with the base frozen (the run saves only them and the base's path"
          + " and SHA-256); 0: no adapters.")
  int rank;

  @Option(names = "--lora-alpha", paramLabel = "A",
      description = "LoRA: the adapters' scale is alpha / rank; default 16.")
  Double alpha;

  @Option(names = "--lora-targets", paramLabel = "LAYERS",
      description = "LoRA: the blocks' layers adapted: attn, mlp, attn,mlp, or layer names (attn.c_attn, c_proj,"
          + " mlp.c_fc, ...); default attn,mlp.")
  String targets;

  /** The adapters asked for, or null without {@code --lora-rank}. */
  public LoraConfig config() {
    if (rank == 0 && (alpha != null || targets != null)) {
      throw new IllegalArgumentException((alpha != null ? "--lora-alpha" : "--lora-targets") + " goes with"
          + " --lora-rank R (R >= 1), which turns LoRA on");
    }
    return LoraConfig.ofFlags(rank, alpha == null ? 16 : alpha, targets == null ? "attn,mlp" : targets);
  }
}
