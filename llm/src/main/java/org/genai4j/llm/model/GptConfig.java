package org.genai4j.llm.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The shape of a GPT, as nanoGPT's GPTConfig.
 *
 * @param vocabSize number of token ids
 * @param nLayer number of Transformer blocks
 * @param nHead attention heads per block
 * @param nEmbd width of the residual stream; a multiple of {@code nHead}
 * @param blockSize the longest context (tokens) the model sees
 * @param dropout dropout probability in training (embeddings, attention weights, residual branches)
 * @param bias whether linear layers and layer norms have biases
 * @param positional learned or sinusoidal positional encoding
 * @param tieWeights whether the output head reuses the token embedding matrix
 */
public record GptConfig(
    int vocabSize,
    int nLayer,
    int nHead,
    int nEmbd,
    int blockSize,
    double dropout,
    boolean bias,
    PositionalEncoding positional,
    boolean tieWeights) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public GptConfig {
    if (vocabSize < 1) throw new IllegalArgumentException("vocabSize must be >= 1, got " + vocabSize);
    if (nLayer < 1) throw new IllegalArgumentException("nLayer must be >= 1, got " + nLayer);
    if (nHead < 1) throw new IllegalArgumentException("nHead must be >= 1, got " + nHead);
    if (nEmbd < 1) throw new IllegalArgumentException("nEmbd must be >= 1, got " + nEmbd);
    if (nEmbd % nHead != 0) {
      throw new IllegalArgumentException("nEmbd " + nEmbd + " is not divisible by nHead " + nHead
          + " (each head gets nEmbd / nHead dimensions)");
    }
    if (blockSize < 1) throw new IllegalArgumentException("blockSize must be >= 1, got " + blockSize);
    if (!(dropout >= 0 && dropout < 1)) {
      throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
    }
    if (positional == null) {
      throw new IllegalArgumentException("positional encoding must be LEARNED or SINUSOIDAL, got null");
    }
    if (positional == PositionalEncoding.SINUSOIDAL && nEmbd % 2 != 0) {
      throw new IllegalArgumentException("sinusoidal positional encoding needs an even nEmbd, got " + nEmbd);
    }
  }

  /** A GPT with nanoGPT's defaults: no dropout, biases, learned positions, tied head. */
  public static GptConfig of(int vocabSize, int nLayer, int nHead, int nEmbd, int blockSize) {
    return new GptConfig(vocabSize, nLayer, nHead, nEmbd, blockSize, 0.0, true, PositionalEncoding.LEARNED, true);
  }

  /** Width of one attention head. */
  public int headSize() {
    return nEmbd / nHead;
  }

  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static GptConfig fromJson(String json) {
    try {
      return JSON.readValue(json, GptConfig.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a GPT configuration: " + e.getOriginalMessage(), e);
    }
  }
}
