package org.genai4j.llm.checkpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.TreeSet;
import org.genai4j.common.io.SafetensorsFolder;
import org.genai4j.common.train.Checkpoint;
import org.genai4j.common.train.RunDir;
import org.genai4j.llm.finetune.LoraRun;
import org.genai4j.llm.LlmModel;
import org.genai4j.llm.model.GptConfig;
import org.genai4j.llm.model.PositionalEncoding;
import org.genai4j.llm.tokenizer.IdTokenizer;
import org.genai4j.llm.tokenizer.Tokenizer;
import org.genai4j.llm.tokenizer.Tokenizers;

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

  /**
   * Describes the model at {@code path} (anything {@link LlmModel#open} takes) from its
   * configuration, tokenizer and file headers, without reading its weights.
   */
  public static ModelDescription of(Path path) {
    if (Llama2cCheckpoint.isIn(path)) {
      GptConfig c = Llama2cCheckpoint.config(path);
      return describe("llama2.c checkpoint (" + path.getFileName() + ")", c, "F32", new IdTokenizer(c.vocabSize()), 0);
    }
    if (HuggingFaceCheckpoint.isIn(path)) {
      GptConfig c = HuggingFaceCheckpoint.config(path);
      SafetensorsFolder w = SafetensorsFolder.open(path);
      TreeSet<String> types = new TreeSet<>();
      w.names().forEach(n -> types.add(w.entry(n).dtype()));
      String architecture = c.positional() == PositionalEncoding.ROTARY ? "LlamaForCausalLM" : "GPT2LMHeadModel";
      return describe("Hugging Face folder (" + architecture + ")", c, String.join(", ", types),
          HuggingFaceCheckpoint.tokenizer(path, c), 0);
    }
    if (Files.isRegularFile(path.resolve(RunDir.CONFIG))) {
      GptConfig c = GptConfig.fromJson(RunDir.read(path, RunDir.CONFIG));
      Path checkpoint = RunDir.checkpointToLoad(path);
      if (LoraRun.isIn(path)) {
        // The checkpoint holds the adapters only; the base's weights are the base's.
        LoraRun lora = LoraRun.read(path);
        var adapters = org.genai4j.common.io.SafetensorsFile.open(checkpoint.resolve(Checkpoint.MODEL)).entries();
        long n = adapters.values().stream().mapToLong(e -> java.util.Arrays.stream(e.shape()).asLongStream()
            .reduce(1, (a, b) -> a * b)).sum();
        ModelDescription d = describe(String.format(Locale.ROOT, "genai4j LoRA run (rank %d, alpha %s on %s: %,d"
            + " adapter values in %d tensors; base %s)", lora.config().rank(), lora.config().alpha(),
            lora.config().targetsText(), n, adapters.size(), lora.base().path()), c, "F32", Tokenizers.load(path),
            Checkpoint.readStep(checkpoint));
        return new ModelDescription(d.format(), c, d.parameters() + n, d.storedTypes(), d.tokenizer(), d.step());
      }
      return describe("genai4j run", c, "F32", Tokenizers.load(path), Checkpoint.readStep(checkpoint));
    }
    throw LlmModel.notAModel(path);
  }

  private static ModelDescription describe(String format, GptConfig c, String types, Tokenizer t, long step) {
    return new ModelDescription(format, c, c.parameterCount(), types, t.kind() + ", " + t.vocabSize() + " tokens", step);
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
        + (c.positional() == PositionalEncoding.ROTARY
            ? " (theta " + c.ropeTheta() + ", " + c.ropeLayout().name().toLowerCase(Locale.ROOT) + ")" : "");
    s.append(String.format(Locale.ROOT, "positions: %s, norm: %s (eps %s), mlp: %s (hidden %d), bias: %s,"
            + " tied head: %s%n", positions, c.norm().name().toLowerCase(Locale.ROOT), c.normEps(),
        c.mlp().name().toLowerCase(Locale.ROOT), c.hiddenSize(), c.bias(), c.tieWeights()));
    s.append("step: ").append(step);
    return s.toString();
  }
}
