package org.genai4j.llm;

import java.util.LinkedHashMap;
import java.util.Map;
import org.genai4j.llm.model.GptConfig;
import org.genai4j.llm.model.GptInference;
import org.genai4j.llm.model.GptModel;
import org.genai4j.llm.tokenizer.Tokenizer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A trained GPT ready to use: its configuration, its tokenizer and its weights. Load one with
 * {@link LlmModelDir#load}; generate with {@link TextGeneration}, evaluate with {@link
 * LlmEvaluation}.
 */
public final class LlmModel {

  private final GptConfig config;
  private final Tokenizer tokenizer;
  private final Map<String, INDArray> weights;
  private final long step;

  /** Wraps weights (by {@link GptModel} parameter name); they are used as given, not copied. */
  public LlmModel(GptConfig config, Tokenizer tokenizer, Map<String, INDArray> weights, long step) {
    if (tokenizer.vocabSize() != config.vocabSize()) {
      throw new IllegalArgumentException("tokenizer has " + tokenizer.vocabSize() + " tokens but the model's vocabSize is "
          + config.vocabSize());
    }
    this.config = config;
    this.tokenizer = tokenizer;
    this.weights = new LinkedHashMap<>(weights);
    this.step = step;
  }

  /** A view of a model being trained (shares its live weights). */
  public static LlmModel of(GptModel model, Tokenizer tokenizer, long step) {
    return new LlmModel(model.config(), tokenizer, model.weights(), step);
  }

  public GptConfig config() {
    return config;
  }

  public Tokenizer tokenizer() {
    return tokenizer;
  }

  /** The weight arrays by parameter name. */
  public Map<String, INDArray> weights() {
    return weights;
  }

  /** The training step these weights come from. */
  public long step() {
    return step;
  }

  /** The plain-ND4J forward pass (with KV cache) over these weights. */
  public GptInference inference() {
    return new GptInference(config, weights);
  }

  /** A SameDiff graph without dropout for {@code batch} x blockSize tokens, holding a copy of these weights. */
  public GptModel graph(int batch) {
    GptModel g = new GptModel(config, batch, config.blockSize(), false, 0);
    for (var e : g.weights().entrySet()) {
      e.getValue().assign(weights.get(e.getKey()));
    }
    return g;
  }

  public long parameterCount() {
    return weights.values().stream().mapToLong(INDArray::length).sum();
  }
}
