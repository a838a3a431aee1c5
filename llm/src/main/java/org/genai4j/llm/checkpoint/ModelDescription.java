package org.genai4j.llm.checkpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.TreeSet;
import org.genai4j.common.io.SafetensorsFolder;
import org.genai4j.llm.LlmModel;
import org.genai4j.llm.model.GptConfig;

/**
 * What {@code llm inspect} prints about a model: where it comes from, its configuration, parameter
 * count, the stored data types and its tokenizer.
 *
 * @param format genai4j run, Hugging Face folder (with its architecture) or llama2.c file
 * @param config the model's shape
 * @param parameters the number of parameters
 * @param storedTypes the data types of the stored weights (F16, BF16, F32)
 * @param tokenizer the tokenizer's kind and vocabulary size
 * @param step the training step of the weights (0 for imported ones)
 */
public record ModelDescription(String format, GptConfig config, long parameters, String storedTypes, String tokenizer,
    long step) {

  /** Opens the model at {@code path} ({@link LlmModel#open}) and describes it. */
  public static ModelDescription of(Path path) {
    LlmModel m = LlmModel.open(path);
    String format;
    String types;
    if (Files.isRegularFile(path)) {
      format = "llama2.c checkpoint (" + path.getFileName() + ")";
      types = "F32";
    } else if (HuggingFaceCheckpoint.isIn(path)) {
      SafetensorsFolder w = SafetensorsFolder.open(path);
      TreeSet<String> t = new TreeSet<>();
      w.names().forEach(n -> t.add(w.entry(n).dtype()));
      format = "Hugging Face folder (" + (m.config().positional() == org.genai4j.llm.model.PositionalEncoding.ROTARY
          ? "LlamaForCausalLM" : "GPT2LMHeadModel") + ")";
      types = String.join(", ", t);
    } else {
      format = "genai4j run";
      types = "F32";
    }
    return new ModelDescription(format, m.config(), m.parameterCount(), types,
        m.tokenizer().kind() + ", " + m.tokenizer().vocabSize() + " tokens", m.step());
  }

  /** The description as {@code key: value} lines. */
  public String lines() {
    GptConfig c = config;
    StringBuilder s = new StringBuilder();
    s.append("format: ").append(format).append('\n');
    s.append(String.format(Locale.ROOT, "parameters: %,d (%.1f MB as float32)%n", parameters, parameters * 4 / 1e6));
    s.append("stored as: ").append(storedTypes).append('\n');
    s.append("tokenizer: ").append(tokenizer).append('\n');
    s.append(String.format(Locale.ROOT, "layers: %d, heads: %d (key/value heads: %d), width: %d, head size: %d%n",
        c.nLayer(), c.nHead(), c.kvHeads(), c.nEmbd(), c.headSize()));
    s.append(String.format(Locale.ROOT, "context: %d tokens, vocabulary: %d%n", c.blockSize(), c.vocabSize()));
    String positions = c.positional().name().toLowerCase(Locale.ROOT)
        + (c.positional() == org.genai4j.llm.model.PositionalEncoding.ROTARY
            ? " (theta " + c.ropeTheta() + ", " + c.ropeLayout().name().toLowerCase(Locale.ROOT) + ")" : "");
    s.append(String.format(Locale.ROOT, "positions: %s, norm: %s (eps %s), mlp: %s (hidden %d), bias: %s,"
            + " tied head: %s%n", positions, c.norm().name().toLowerCase(Locale.ROOT), c.normEps(),
        c.mlp().name().toLowerCase(Locale.ROOT), c.hiddenSize(), c.bias(), c.tieWeights()));
    s.append("step: ").append(step);
    return s.toString();
  }
}
