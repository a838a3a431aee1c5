package org.genai4j.llm.generate;

import java.util.Arrays;
import org.genai4j.llm.model.GptInference;
import org.genai4j.llm.model.KvCache;

/**
 * Decodes with a {@link KvCache}: each new token runs through the model alone, attending to the
 * cached keys and values. When the cache is full (the block size), it is refilled from the last
 * half block of tokens, so long generations keep at least half a block of context.
 */
public final class CachedDecoder implements Decoder {

  private final GptInference model;
  private final KvCache cache;
  private int[] tokens = new int[0];

  public CachedDecoder(GptInference model) {
    this.model = model;
    this.cache = model.newCache();
  }

  @Override
  public float[] start(int[] prompt) {
    int block = model.config().blockSize();
    tokens = prompt.length > block ? Arrays.copyOfRange(prompt, prompt.length - block, prompt.length) : prompt.clone();
    cache.clear();
    return lastRow(model.forward(tokens, cache));
  }

  @Override
  public float[] append(int token) {
    int[] grown = Arrays.copyOf(tokens, tokens.length + 1);
    grown[tokens.length] = token;
    tokens = grown;
    if (cache.length() < cache.capacity()) {
      return lastRow(model.forward(new int[] {token}, cache));
    }
    int keep = Math.max(1, cache.capacity() / 2);
    tokens = Arrays.copyOfRange(tokens, tokens.length - keep, tokens.length);
    cache.clear();
    return lastRow(model.forward(tokens, cache));
  }

  static float[] lastRow(org.nd4j.linalg.api.ndarray.INDArray logits) {
    return logits.getRow(logits.size(0) - 1).toFloatVector();
  }
}
