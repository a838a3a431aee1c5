package org.genai4j.llm.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.genai4j.common.io.Safetensors;
import org.genai4j.common.io.SafetensorsFile;
import org.genai4j.common.io.SafetensorsFolder;
import org.genai4j.common.ops.Param;
import org.genai4j.common.ops.Params;
import org.genai4j.common.ops.RotaryEmbedding;
import org.genai4j.common.ops.Tensor;
import org.genai4j.common.util.AtomicFile;
import org.genai4j.llm.LlmModel;
import org.genai4j.llm.checkpoint.HuggingFaceNames.Family;
import org.genai4j.llm.checkpoint.HuggingFaceNames.Part;
import org.genai4j.llm.model.Gpt;
import org.genai4j.llm.model.GptConfig;
import org.genai4j.llm.model.PositionalEncoding;
import org.genai4j.llm.tokenizer.Gpt2Tokenizer;
import org.genai4j.llm.tokenizer.IdTokenizer;
import org.genai4j.llm.tokenizer.Tokenizer;
import org.genai4j.llm.tokenizer.Tokenizers;
import org.genai4j.llm.tokenizer.VocabMergesTokenizer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A Hugging Face model folder, read and written: {@code config.json}, the weights ({@code
 * model.safetensors} or its sharded form, F32, F16 or BF16) and, for GPT-2, {@code vocab.json} and
 * {@code merges.txt}. Two families: GPT-2 ({@code GPT2LMHeadModel}: learned positions, layer norm,
 * tanh GELU, Conv1D weights, tied head) and Llama ({@code LlamaForCausalLM}: rotary positions in
 * the half layout, RMS norm, SwiGLU, grouped-query attention, tied or untied head).
 *
 * <p>Everything in the folder is checked before the model is allocated: the configuration's sizes
 * against the tensors' shapes (so a {@code config.json} cannot ask for more memory than the
 * weights hold), and every tensor's shape; extra or missing tensors get a one-line error naming them.
 */
public final class HuggingFaceCheckpoint {
  private HuggingFaceCheckpoint() {}

  public static final String CONFIG = "config.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Whether {@code dir} looks like a Hugging Face model folder (a {@code config.json} and safetensors weights). */
  public static boolean isIn(Path dir) {
    return Files.isRegularFile(dir.resolve(CONFIG)) && SafetensorsFolder.isIn(dir);
  }

  /** The configuration the folder's {@code config.json} declares (nothing else is read). */
  public static GptConfig config(Path dir) {
    JsonNode hf = readConfig(dir.resolve(CONFIG));
    Family family = family(hf, dir.resolve(CONFIG));
    return family == Family.GPT2 ? gpt2Config(hf, dir.resolve(CONFIG)) : llamaConfig(hf, dir.resolve(CONFIG));
  }

  /**
   * The tokenizer of the folder: GPT-2's {@code vocab.json} and {@code merges.txt}, else the
   * {@code tokenizer.json} genai4j exports beside a char or own-BPE model, else ids only; it must
   * have {@code config}'s vocabulary size.
   */
  public static Tokenizer tokenizer(Path dir, GptConfig config) {
    Tokenizer tokenizer = VocabMergesTokenizer.isIn(dir) ? VocabMergesTokenizer.load(dir)
        : Files.isRegularFile(dir.resolve(Tokenizers.FILE)) ? Tokenizers.load(dir) : new IdTokenizer(config.vocabSize());
    if (tokenizer.vocabSize() != config.vocabSize()) {
      throw new IllegalArgumentException(dir + ": the tokenizer has " + tokenizer.vocabSize()
          + " tokens but config.json's vocab_size is " + config.vocabSize());
    }
    return tokenizer;
  }

  /** Loads the model in Hugging Face folder {@code dir}, with its tokenizer files when it has them. */
  public static LlmModel load(Path dir) {
    GptConfig config = config(dir);
    Family family = config.positional() == PositionalEncoding.ROTARY ? Family.LLAMA : Family.GPT2;
    SafetensorsFolder weights = SafetensorsFolder.open(dir);
    String prefix = family == Family.GPT2 && !weights.contains("transformer.wte.weight") ? "transformer." : "";
    checkShapesBeforeAllocating(family, config, weights, prefix);
    Gpt gpt = new Gpt(config, Params.forLoading());
    Set<String> unused = new HashSet<>(weights.names());
    unused.removeIf(HuggingFaceNames::isBuffer);
    if (config.tieWeights()) {
      unused.remove("lm_head.weight"); // some files store the tied head too
    }
    for (Param p : gpt.params().list()) {
      List<Part> parts = HuggingFaceNames.parts(family, config, p.name());
      int cols = p.shape().length == 2 ? p.shape()[1] : p.shape()[0];
      if (parts.size() == 1 && !parts.get(0).transposed()) {
        // Stored as the parameter is: straight from the mapped file into it.
        String name = fileName(parts.get(0).name(), prefix);
        checkShape(weights, name, parts.get(0), p, cols);
        weights.readInto(name, p.value());
        unused.remove(name);
        continue;
      }
      float[] value = new float[p.value().length()];
      int at = 0;
      for (Part part : parts) {
        String name = fileName(part.name(), prefix);
        Tensor t = readChecked(weights, name, part, p, cols);
        unused.remove(name);
        float[] v = t.toArray();
        if (part.transposed()) {
          v = transpose(v, cols, part.rows());
        }
        System.arraycopy(v, 0, value, at, v.length);
        at += v.length;
      }
      p.value().write(0, value, 0, value.length);
    }
    if (!unused.isEmpty()) {
      throw new IllegalArgumentException(dir + ": tensors the " + family.architecture + " does not use: "
          + unused.stream().sorted().limit(5).toList() + (unused.size() > 5 ? " and " + (unused.size() - 5) + " more"
          : ""));
    }
    return new LlmModel(gpt, tokenizer(dir, config), 0);
  }

  /** The name under which a GPT-2 file stores {@code name}: with or without {@code transformer.}. */
  private static String fileName(String name, String stripPrefix) {
    return !stripPrefix.isEmpty() && name.startsWith(stripPrefix) ? name.substring(stripPrefix.length()) : name;
  }

  private static Tensor readChecked(SafetensorsFolder weights, String name, Part part, Param p, int cols) {
    checkShape(weights, name, part, p, cols);
    return weights.read(name);
  }

  /** Tensor {@code name} is in the folder with the shape {@code part} of parameter {@code p} needs; a named error otherwise. */
  private static void checkShape(SafetensorsFolder weights, String name, Part part, Param p, int cols) {
    if (!weights.contains(name)) {
      throw new IllegalArgumentException(weights.folder() + " has no tensor '" + name + "' (for " + p.name() + ")");
    }
    int[] want = part.rows() < 0 ? p.shape()
        : part.transposed() ? new int[] {cols, part.rows()} : new int[] {part.rows(), cols};
    int[] got = weights.entry(name).shape();
    if (!Arrays.equals(want, got)) {
      throw new IllegalArgumentException("tensor '" + name + "' in " + weights.folder() + " has shape "
          + Arrays.toString(got) + ", expected " + Arrays.toString(want) + " from config.json");
    }
  }

  /**
   * The sizes config.json declares against the tensors that carry them (embedding, layer count,
   * MLP and position widths), before anything of the model's size is allocated.
   */
  private static void checkShapesBeforeAllocating(Family family, GptConfig c, SafetensorsFolder w, String prefix) {
    String embedding = family == Family.GPT2 ? fileName("transformer.wte.weight", prefix) : "model.embed_tokens.weight";
    expectShape(w, embedding, c.vocabSize(), c.nEmbd());
    String layers = family == Family.GPT2 ? fileName("transformer.h.", prefix) : "model.layers.";
    String probe = family == Family.GPT2 ? ".ln_1.weight" : ".input_layernorm.weight";
    if (!w.contains(layers + (c.nLayer() - 1) + probe) || w.contains(layers + c.nLayer() + probe)) {
      throw new IllegalArgumentException(w.folder() + ": config.json declares " + c.nLayer()
          + " layers but the weights hold a different number");
    }
    if (family == Family.GPT2) {
      expectShape(w, fileName("transformer.wpe.weight", prefix), c.blockSize(), c.nEmbd());
      expectShape(w, fileName("transformer.h.0.mlp.c_fc.weight", prefix), c.nEmbd(), c.hiddenSize());
    } else {
      expectShape(w, "model.layers.0.mlp.gate_proj.weight", c.hiddenSize(), c.nEmbd());
      expectShape(w, "model.layers.0.self_attn.k_proj.weight", c.kvHeads() * c.headSize(), c.nEmbd());
    }
  }

  private static void expectShape(SafetensorsFolder w, String name, int rows, int cols) {
    if (!w.contains(name)) {
      throw new IllegalArgumentException(w.folder() + " has no tensor '" + name + "'");
    }
    int[] got = w.entry(name).shape();
    if (!Arrays.equals(got, new int[] {rows, cols})) {
      throw new IllegalArgumentException("tensor '" + name + "' in " + w.folder() + " has shape " + Arrays.toString(got)
          + ", but config.json implies [" + rows + ", " + cols + "]");
    }
  }

  private static JsonNode readConfig(Path file) {
    try {
      if (Files.size(file) > 1 << 20) {
        throw new IllegalArgumentException(file + " is " + Files.size(file) + " bytes, more than a config needs");
      }
      JsonNode n = JSON.readTree(file.toFile());
      if (n == null || !n.isObject()) {
        throw new IllegalArgumentException(file + " is not a JSON object");
      }
      return n;
    } catch (IOException e) {
      throw new IllegalArgumentException(file + " is not valid JSON: "
          + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
    }
  }

  private static Family family(JsonNode hf, Path file) {
    String type = hf.path("model_type").asText("");
    for (Family f : Family.values()) {
      if (f.modelType.equals(type)) {
        return f;
      }
    }
    throw new IllegalArgumentException(file + ": model_type '" + type + "' is not supported; expected gpt2 or llama");
  }

  private static GptConfig gpt2Config(JsonNode hf, Path file) {
    String act = hf.path("activation_function").asText("gelu_new");
    if (!act.equals("gelu_new") && !act.equals("gelu_pytorch_tanh")) {
      throw new IllegalArgumentException(file + ": activation_function '" + act + "' is not GPT-2's gelu_new");
    }
    if (hf.path("scale_attn_by_inverse_layer_idx").asBoolean(false)) {
      throw new IllegalArgumentException(file + ": scale_attn_by_inverse_layer_idx is not supported");
    }
    int embd = positive(hf, "n_embd", file);
    JsonNode inner = hf.get("n_inner");
    int hidden = inner == null || inner.isNull() ? 0 : positive(hf, "n_inner", file);
    try {
      return GptConfig.of(positive(hf, "vocab_size", file), positive(hf, "n_layer", file), positive(hf, "n_head", file),
              embd, positive(hf, "n_positions", file))
          .withTieWeights(hf.path("tie_word_embeddings").asBoolean(true))
          .withNormEps(hf.path("layer_norm_epsilon").asDouble(1e-5))
          .withMlp(GptConfig.Mlp.GELU, hidden == 4 * embd ? 0 : hidden);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  private static GptConfig llamaConfig(JsonNode hf, Path file) {
    String act = hf.path("hidden_act").asText("silu");
    if (!act.equals("silu")) {
      throw new IllegalArgumentException(file + ": hidden_act '" + act + "' is not supported; expected silu");
    }
    if (hf.path("attention_bias").asBoolean(false) || hf.path("mlp_bias").asBoolean(false)) {
      throw new IllegalArgumentException(file + ": attention_bias and mlp_bias must be false");
    }
    JsonNode rope = hf.has("rope_parameters") ? hf.get("rope_parameters") : hf;
    JsonNode scaling = hf.get("rope_scaling");
    String ropeType = rope.path("rope_type").asText(scaling == null || scaling.isNull() ? "default"
        : scaling.path("rope_type").asText(scaling.path("type").asText("?")));
    if (!ropeType.equals("default")) {
      throw new IllegalArgumentException(file + ": rope type '" + ropeType + "' is not supported; expected default"
          + " (no rope scaling)");
    }
    int heads = positive(hf, "num_attention_heads", file);
    int embd = positive(hf, "hidden_size", file);
    if (hf.has("head_dim") && !hf.get("head_dim").isNull() && hf.get("head_dim").asInt() * heads != embd) {
      throw new IllegalArgumentException(file + ": head_dim " + hf.get("head_dim") + " times " + heads
          + " heads is not hidden_size " + embd);
    }
    int kvHeads = hf.has("num_key_value_heads") ? positive(hf, "num_key_value_heads", file) : heads;
    try {
      return GptConfig.llama(positive(hf, "vocab_size", file), positive(hf, "num_hidden_layers", file), heads,
              kvHeads, embd, positive(hf, "max_position_embeddings", file))
          .withMlp(GptConfig.Mlp.SWIGLU, positive(hf, "intermediate_size", file))
          .withNormEps(hf.path("rms_norm_eps").asDouble(1e-6))
          .withRotary(rope.path("rope_theta").asDouble(10000), RotaryEmbedding.Layout.HALVES)
          .withTieWeights(hf.path("tie_word_embeddings").asBoolean(false));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  private static int positive(JsonNode hf, String field, Path file) {
    JsonNode v = hf.get(field);
    if (v == null || !v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 1) {
      throw new IllegalArgumentException(file + ": " + field + " must be a positive integer, got " + v);
    }
    return v.asInt();
  }

  /** What {@link #export} wrote. */
  public record Exported(Path folder, String architecture, List<String> files, String tokenizerNote) {}

  /**
   * Writes {@code model} as a Hugging Face folder {@code out} (new or empty) that {@code
   * transformers}' {@code from_pretrained} loads: a GPT-2 (learned positions, layer norm, GELU,
   * biases) as {@code GPT2LMHeadModel}, a Llama (rotary, RMS norm, SwiGLU, no biases) as {@code
   * LlamaForCausalLM}, weights as F32 safetensors. GPT-2's tokenizer goes out as {@code vocab.json}
   * and {@code merges.txt}; any other tokenizer as genai4j's {@code tokenizer.json}, which the
   * returned note says. Other architectures get a one-line error naming what does not fit.
   */
  public static Exported export(LlmModel model, Path out) {
    GptConfig c = model.config();
    Family family = exportFamily(c);
    checkEmpty(out);
    Map<String, INDArray> tensors = new LinkedHashMap<>();
    for (Param p : model.weights().list()) {
      List<Part> parts = HuggingFaceNames.parts(family, c, p.name());
      float[] v = p.value().toArray();
      int cols = p.shape().length == 2 ? p.shape()[1] : p.shape()[0];
      if (family == Family.LLAMA && c.ropeLayout() == RotaryEmbedding.Layout.PAIRS
          && p.name().endsWith("attn.c_attn.weight")) {
        v = pairsToHalves(v, cols, c.nHead() + c.kvHeads(), c.headSize());
      }
      int at = 0;
      for (Part part : parts) {
        if (part.rows() < 0) {
          tensors.put(part.name(), Tensor.of(v.clone(), p.shape()).array());
          continue;
        }
        float[] rows = Arrays.copyOfRange(v, at, at + part.rows() * cols);
        at += part.rows() * cols;
        tensors.put(part.name(), part.transposed()
            ? Tensor.of(transpose(rows, part.rows(), cols), cols, part.rows()).array()
            : Tensor.of(rows, part.rows(), cols).array());
      }
    }
    List<String> files = new ArrayList<>();
    try {
      Files.createDirectories(out);
      ObjectNode hf = family == Family.GPT2 ? gpt2Json(c) : llamaJson(c);
      AtomicFile.write(out.resolve(CONFIG), "config", f -> JSON.writerWithDefaultPrettyPrinter().writeValue(f.toFile(), hf));
      files.add(CONFIG);
      Safetensors.write(out.resolve(SafetensorsFolder.SINGLE), tensors, Map.of("format", "pt"));
      files.add(SafetensorsFolder.SINGLE);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("could not write " + out + ": " + e.getMessage(), e);
    }
    Tokenizer tok = model.tokenizer();
    String note;
    if (tok instanceof Gpt2Tokenizer || tok instanceof VocabMergesTokenizer) {
      VocabMergesTokenizer.of(tok).saveFiles(out);
      files.add(VocabMergesTokenizer.VOCAB);
      files.add(VocabMergesTokenizer.MERGES);
      note = "GPT-2 tokenizer written as vocab.json and merges.txt (transformers' GPT2Tokenizer reads them)";
    } else {
      tok.save(out);
      files.add("tokenizer.json");
      note = "the " + tok.kind() + " tokenizer has no Hugging Face form; written as genai4j's tokenizer.json"
          + " (transformers will not read it: feed token ids)";
    }
    return new Exported(out, family.architecture, files, note);
  }

  private static Family exportFamily(GptConfig c) {
    boolean gpt2 = c.positional() == PositionalEncoding.LEARNED && c.norm() == GptConfig.Norm.LAYER
        && c.mlp() == GptConfig.Mlp.GELU && c.bias() && c.kvHeads() == c.nHead();
    boolean llama = c.positional() == PositionalEncoding.ROTARY && c.norm() == GptConfig.Norm.RMS
        && c.mlp() == GptConfig.Mlp.SWIGLU && !c.bias();
    if (gpt2) {
      return Family.GPT2;
    }
    if (llama) {
      return Family.LLAMA;
    }
    throw new IllegalArgumentException("this model (" + c.positional().name().toLowerCase() + " positions, "
        + c.norm().name().toLowerCase() + " norm, " + c.mlp().name().toLowerCase() + " MLP, bias " + c.bias()
        + ") is neither a GPT-2 (learned positions, layer norm, GELU, biases) nor a Llama (rotary, RMS norm, SwiGLU,"
        + " no biases): Hugging Face has no class for it");
  }

  private static void checkEmpty(Path out) {
    if (Files.isRegularFile(out)) {
      throw new IllegalArgumentException("--out " + out + " is a file; expected a new or empty folder");
    }
    if (Files.isDirectory(out)) {
      try (Stream<Path> s = Files.list(out)) {
        if (s.findAny().isPresent()) {
          throw new IllegalArgumentException("--out " + out + " is not empty; export writes into a new or empty folder");
        }
      } catch (IOException e) {
        throw new java.io.UncheckedIOException("could not list " + out + ": " + e.getMessage(), e);
      }
    }
  }

  private static ObjectNode gpt2Json(GptConfig c) {
    ObjectNode o = JSON.createObjectNode();
    o.putArray("architectures").add(Family.GPT2.architecture);
    o.put("model_type", "gpt2");
    o.put("vocab_size", c.vocabSize());
    o.put("n_positions", c.blockSize());
    o.put("n_embd", c.nEmbd());
    o.put("n_layer", c.nLayer());
    o.put("n_head", c.nHead());
    if (c.hiddenSize() == 4 * c.nEmbd()) {
      o.putNull("n_inner");
    } else {
      o.put("n_inner", c.hiddenSize());
    }
    o.put("activation_function", "gelu_new");
    o.put("layer_norm_epsilon", c.normEps());
    o.put("resid_pdrop", 0.0);
    o.put("embd_pdrop", 0.0);
    o.put("attn_pdrop", 0.0);
    o.put("tie_word_embeddings", c.tieWeights());
    o.put("torch_dtype", "float32");
    return o;
  }

  private static ObjectNode llamaJson(GptConfig c) {
    ObjectNode o = JSON.createObjectNode();
    o.putArray("architectures").add(Family.LLAMA.architecture);
    o.put("model_type", "llama");
    o.put("vocab_size", c.vocabSize());
    o.put("hidden_size", c.nEmbd());
    o.put("intermediate_size", c.hiddenSize());
    o.put("num_hidden_layers", c.nLayer());
    o.put("num_attention_heads", c.nHead());
    o.put("num_key_value_heads", c.kvHeads());
    o.put("head_dim", c.headSize());
    o.put("max_position_embeddings", c.blockSize());
    o.put("rms_norm_eps", c.normEps());
    o.put("rope_theta", c.ropeTheta());
    o.put("hidden_act", "silu");
    o.put("attention_bias", false);
    o.put("mlp_bias", false);
    o.put("tie_word_embeddings", c.tieWeights());
    o.put("torch_dtype", "float32");
    return o;
  }

  /** {@code [rows, cols]} to {@code [cols, rows]}. */
  static float[] transpose(float[] a, int rows, int cols) {
    float[] b = new float[a.length];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        b[c * rows + r] = a[r * cols + c];
      }
    }
    return b;
  }

  /**
   * Reorders the rows of the first {@code heads} heads of {@code d} rows of a weight from the pair
   * layout to the half layout: within a head, row {@code 2i} goes to {@code i}, {@code 2i + 1} to
   * {@code i + d/2} (rows after those heads, the values, stay).
   */
  static float[] pairsToHalves(float[] w, int cols, int heads, int d) {
    float[] out = w.clone();
    for (int h = 0; h < heads; h++) {
      for (int i = 0; i < d / 2; i++) {
        System.arraycopy(w, (h * d + 2 * i) * cols, out, (h * d + i) * cols, cols);
        System.arraycopy(w, (h * d + 2 * i + 1) * cols, out, (h * d + i + d / 2) * cols, cols);
      }
    }
    return out;
  }
}
