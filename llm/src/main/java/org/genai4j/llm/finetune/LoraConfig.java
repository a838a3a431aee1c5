package org.genai4j.llm.finetune;

import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.genai4j.llm.model.Gpt;

/**
 * Low-rank adaptation (LoRA, Hu et al. 2021) as a fine-tuning or training run asks for it: the
 * adapters' rank, their scale {@code alpha / rank} and which linear layers of each block get one.
 * With it the base model stays frozen and only the adapters (and a new task head) train; runs save
 * only those ({@link LoraRun}).
 *
 * @param rank the adapters' rank ({@code --lora-rank})
 * @param alpha the adapters' scale is {@code alpha / rank} ({@code --lora-alpha})
 * @param targets the blocks' layers adapted ({@code --lora-targets})
 */
public record LoraConfig(int rank, double alpha, Set<String> targets) {

  public LoraConfig {
    if (rank < 1) {
      throw new IllegalArgumentException("--lora-rank must be >= 1, got " + rank);
    }
    if (!(alpha > 0) || Double.isInfinite(alpha)) {
      throw new IllegalArgumentException("--lora-alpha must be a number > 0, got " + alpha);
    }
    if (targets == null || targets.isEmpty()) {
      throw new IllegalArgumentException("--lora-targets must name attn, mlp or both");
    }
    for (String t : targets) {
      if (t == null || !t.matches("[a-z0-9_.]+")) {
        throw new IllegalArgumentException("--lora-targets must be layer names such as attn, mlp or mlp.c_fc, got '"
            + t + "'");
      }
    }
    targets = Set.copyOf(new java.util.TreeSet<>(targets));
  }

  /**
   * Parses {@code --lora-targets}: comma-separated names, any case: {@code attn}, {@code mlp}, or a
   * block's layer ({@code attn.c_attn}, {@code c_fc}, ...); which layers they select is the
   * model's to say ({@link Gpt#addLowRank}).
   */
  public static Set<String> parseTargets(String s) {
    Set<String> t = new java.util.TreeSet<>();
    for (String part : (s == null ? "" : s).split(",")) {
      String name = part.trim().toLowerCase(Locale.ROOT);
      if (!name.matches("[a-z0-9_.]+")) {
        throw new IllegalArgumentException("--lora-targets must be comma-separated layer names (attn, mlp, attn,mlp,"
            + " mlp.c_fc, ...), got '" + s + "'");
      }
      t.add(name);
    }
    return t;
  }

  /** The settings from flag values; null when {@code rank} is 0 (no adapters). */
  public static LoraConfig ofFlags(int rank, double alpha, String targets) {
    if (rank < 0) {
      throw new IllegalArgumentException("--lora-rank must be >= 0 (0: no adapters), got " + rank);
    }
    return rank == 0 ? null : new LoraConfig(rank, alpha, parseTargets(targets));
  }

  /** The targets as {@code --lora-targets} writes them ({@code attn,mlp}). */
  public String targetsText() {
    return targets.stream().sorted().collect(Collectors.joining(","));
  }

  /** Whether parameter {@code name} is an adapter matrix ({@code <layer>.lora_A} or {@code .lora_B}). */
  public static boolean isAdapter(String name) {
    return name.endsWith(".lora_A") || name.endsWith(".lora_B");
  }
}
