package org.genai4j.llm.generate;

import java.util.Arrays;
import org.genai4j.common.ops.KvCache;
import org.genai4j.common.ops.StepContext;
import org.genai4j.common.ops.Tensor;
import org.genai4j.llm.model.Gpt;

/**
 * Decodes with a {@link KvCache}: each new token runs through the model alone, attending to the
 * cached keys and values. When the cache is full (the block size), it is refilled from the last
 * half block of tokens, so long generations keep at least half a block of context.
 */
public final class CachedDecoder implements Decoder {

  private final Gpt model;
  private final KvCache cache;
  private final StepContext ctx = StepContext.inference();
  private final int[] one = new int[1];
  private int[] tokens = new int[0];

  public CachedDecoder(Gpt model) {
    this.model = model;
    this.cache = model.newCache(1);
  }

  @Override
  public float[] start(int[] prompt) {
    int block = model.config().blockSize();
    tokens = prompt.length > block ? Arrays.copyOfRange(prompt, prompt.length - block, prompt.length) : prompt.clone();
    return refill();
  }

  @Override
  public float[] append(int token) {
    int[] grown = Arrays.copyOf(tokens, tokens.length + 1);
    grown[tokens.length] = token;
    tokens = grown;
    if (cache.length() < cache.capacity()) {
      one[0] = token;
      return lastRow(model.forward(ctx, one, 1, 1, cache));
    }
    int keep = Math.max(1, cache.capacity() / 2);
    tokens = Arrays.copyOfRange(tokens, tokens.length - keep, tokens.length);
    return refill();
  }

  private float[] refill() {
    cache.clear();
    return lastRow(model.forward(ctx, tokens, 1, tokens.length, cache));
  }

  /** The logits of the last position of {@code logits} ({@code [1, T, V]}). */
  static float[] lastRow(Tensor logits) {
    int v = logits.dim(logits.rank() - 1);
    float[] row = new float[v];
    logits.read(logits.length() - v, row, 0, v);
    return row;
  }
}
