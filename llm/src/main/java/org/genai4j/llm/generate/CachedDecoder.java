package org.genai4j.llm.generate;

import org.genai4j.common.ops.KvCache;
import org.genai4j.common.ops.StepContext;
import org.genai4j.common.ops.Tensor;
import org.genai4j.llm.model.Gpt;

/**
 * Decodes with a {@link KvCache}: each new token runs through the model alone, attending to the
 * cached keys and values. When the cache is full (the block size), it is refilled from the last
 * half block of tokens, so long generations keep at least half a block of context.
 *
 * <p>Written for one token at a time: the token window, the logits row and (inside the model) every
 * op's output are allocated once and reused, so a step allocates no arrays. The returned logits
 * are valid until the next call.
 */
public final class CachedDecoder implements Decoder {

  private final Gpt model;
  private final KvCache cache;
  private final StepContext ctx = StepContext.inference();
  private final int[] one = new int[1];
  /** The tokens in the cache: {@code window[0 .. length)}. */
  private final int[] window;
  private int length;
  private final float[] logits;

  public CachedDecoder(Gpt model) {
    this.model = model;
    this.cache = model.newCache(1);
    this.window = new int[model.config().blockSize()];
    this.logits = new float[model.config().vocabSize()];
  }

  @Override
  public float[] start(int[] prompt) {
    length = Math.min(prompt.length, window.length);
    System.arraycopy(prompt, prompt.length - length, window, 0, length);
    return refill();
  }

  @Override
  public float[] append(int token) {
    if (length < window.length) {
      window[length++] = token;
      one[0] = token;
      return lastRow(model.forward(ctx, one, 1, 1, cache), logits);
    }
    // Full: keep the last half block (with the new token) and recompute their keys and values.
    int keep = Math.max(1, window.length / 2);
    System.arraycopy(window, length - keep + 1, window, 0, keep - 1);
    window[keep - 1] = token;
    length = keep;
    return refill();
  }

  private float[] refill() {
    cache.clear();
    return lastRow(model.forward(ctx, java.util.Arrays.copyOf(window, length), 1, length, cache), logits);
  }

  /** The logits of the last position of {@code logits} ({@code [1, T, V]}) into {@code row}. */
  static float[] lastRow(Tensor logits, float[] row) {
    int v = row.length;
    logits.read(logits.length() - v, row, 0, v);
    return row;
  }

  /** The same into a new array. */
  static float[] lastRow(Tensor logits) {
    return lastRow(logits, new float[logits.dim(logits.rank() - 1)]);
  }
}
