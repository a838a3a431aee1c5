package org.genai4j.llm.generate;

import java.util.Arrays;
import org.genai4j.common.ops.StepContext;
import org.genai4j.llm.model.Gpt;

/**
 * Decodes without a cache, as nanoGPT's generate: every token reruns the model's forward pass over
 * the last block-size tokens. The baseline the {@link CachedDecoder} is measured against, and how
 * contexts beyond the block size are seen whole.
 */
public final class WindowDecoder implements Decoder {

  private final Gpt model;
  private final StepContext ctx = StepContext.inference();
  private int[] tokens = new int[0];

  public WindowDecoder(Gpt model) {
    this.model = model;
  }

  @Override
  public float[] start(int[] prompt) {
    tokens = prompt.clone();
    return run();
  }

  @Override
  public float[] append(int token) {
    tokens = Arrays.copyOf(tokens, tokens.length + 1);
    tokens[tokens.length - 1] = token;
    return run();
  }

  private float[] run() {
    int block = model.config().blockSize();
    int[] window = tokens.length > block ? Arrays.copyOfRange(tokens, tokens.length - block, tokens.length) : tokens;
    return CachedDecoder.lastRow(model.forward(ctx, window, 1, window.length));
  }
}
