package org.genai4j.llm.checkpoint;

import java.util.List;
import org.genai4j.llm.model.GptConfig;

/**
 * Where each of a {@link org.genai4j.llm.model.Gpt}'s parameters lives in a Hugging Face
 * checkpoint. A parameter is one or more Hugging Face tensors stacked by rows: Llama's separate
 * {@code q_proj}, {@code k_proj}, {@code v_proj} make {@code attn.c_attn}, its {@code gate_proj}
 * and {@code up_proj} make {@code mlp.c_fc}. GPT-2's {@code Conv1D} weights are stored {@code [in,
 * out]}, the transpose of a {@code Linear}'s.
 */
final class HuggingFaceNames {
  private HuggingFaceNames() {}

  /** The model families read and written. */
  enum Family {
    GPT2("gpt2", "GPT2LMHeadModel"),
    LLAMA("llama", "LlamaForCausalLM");

    final String modelType;
    final String architecture;

    Family(String modelType, String architecture) {
      this.modelType = modelType;
      this.architecture = architecture;
    }
  }

  /** One Hugging Face tensor of a parameter: its name, its rows in the parameter, and whether it is stored transposed. */
  record Part(String name, int rows, boolean transposed) {}

  /**
   * The Hugging Face tensors of parameter {@code name} ({@code transformer.h.0.attn.c_attn.weight},
   * ...) of a model of {@code config}, in row order, under GPT-2's names with the {@code
   * transformer.} prefix (a reader also tries them without it).
   */
  static List<Part> parts(Family family, GptConfig config, String name) {
    return family == Family.GPT2 ? gpt2(config, name) : llama(config, name);
  }

  private static List<Part> gpt2(GptConfig c, String name) {
    boolean conv1d = name.endsWith(".weight") && (name.contains(".attn.") || name.contains(".mlp."));
    int rows = conv1d ? rowsOf(c, name) : -1;
    return List.of(new Part(name, rows, conv1d));
  }

  private static List<Part> llama(GptConfig c, String name) {
    if (name.equals("transformer.wte.weight")) {
      return List.of(new Part("model.embed_tokens.weight", c.vocabSize(), false));
    }
    if (name.equals("transformer.ln_f.weight")) {
      return List.of(new Part("model.norm.weight", -1, false));
    }
    if (name.equals("lm_head.weight")) {
      return List.of(new Part("lm_head.weight", c.vocabSize(), false));
    }
    String prefix = "transformer.h.";
    if (!name.startsWith(prefix) || !name.endsWith(".weight")) {
      throw new IllegalArgumentException("a Llama has no parameter '" + name + "' (biases, learned positions)");
    }
    String rest = name.substring(prefix.length());
    String layer = "model.layers." + rest.substring(0, rest.indexOf('.')) + ".";
    String part = rest.substring(rest.indexOf('.') + 1);
    int d = c.headSize();
    int kv = c.kvHeads() * d;
    int h = c.hiddenSize();
    return switch (part) {
      case "ln_1.weight" -> List.of(new Part(layer + "input_layernorm.weight", -1, false));
      case "ln_2.weight" -> List.of(new Part(layer + "post_attention_layernorm.weight", -1, false));
      case "attn.c_attn.weight" -> List.of(new Part(layer + "self_attn.q_proj.weight", c.nHead() * d, false),
          new Part(layer + "self_attn.k_proj.weight", kv, false), new Part(layer + "self_attn.v_proj.weight", kv, false));
      case "attn.c_proj.weight" -> List.of(new Part(layer + "self_attn.o_proj.weight", c.nEmbd(), false));
      case "mlp.c_fc.weight" -> List.of(new Part(layer + "mlp.gate_proj.weight", h, false),
          new Part(layer + "mlp.up_proj.weight", h, false));
      case "mlp.c_proj.weight" -> List.of(new Part(layer + "mlp.down_proj.weight", c.nEmbd(), false));
      default -> throw new IllegalArgumentException("a Llama has no parameter '" + name + "'");
    };
  }

  /** The rows of a GPT-2 linear weight {@code [out, in]}: its output width. */
  private static int rowsOf(GptConfig c, String name) {
    if (name.endsWith("attn.c_attn.weight")) {
      return 3 * c.nEmbd();
    }
    if (name.endsWith("mlp.c_fc.weight")) {
      return c.hiddenSize();
    }
    return c.nEmbd();
  }

  /** Whether a Hugging Face tensor holds no parameter: causal-mask buffers and rotary tables some files carry. */
  static boolean isBuffer(String name) {
    return name.endsWith(".attn.bias") || name.endsWith(".attn.masked_bias") || name.endsWith("rotary_emb.inv_freq");
  }
}
