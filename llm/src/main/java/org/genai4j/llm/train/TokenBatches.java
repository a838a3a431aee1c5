package org.genai4j.llm.train;

import java.util.Random;
import org.genai4j.common.train.Batch;
import org.genai4j.common.train.BatchSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Random windows of a token stream, as nanoGPT's get_batch: {@code x} is {@code batch} windows
 * of {@code time} tokens starting at uniformly random offsets, {@code y} the same windows shifted
 * by one. The throughput unit is the token.
 */
public final class TokenBatches implements BatchSource {

  private final int[] tokens;
  private final int batch;
  private final int time;

  public TokenBatches(int[] tokens, int batch, int time) {
    if (tokens.length < time + 1) {
      throw new IllegalArgumentException("the text has " + tokens.length + " tokens; at least " + (time + 1)
          + " are needed for windows of " + time + " tokens (use a longer text or a smaller block size)");
    }
    this.tokens = tokens;
    this.batch = batch;
    this.time = time;
  }

  @Override
  public Batch next(Random rng) {
    int[] x = new int[batch * time];
    int[] y = new int[batch * time];
    int starts = tokens.length - time;
    for (int b = 0; b < batch; b++) {
      int s = rng.nextInt(starts);
      System.arraycopy(tokens, s, x, b * time, time);
      System.arraycopy(tokens, s + 1, y, b * time, time);
    }
    return new Batch(java.util.Map.of(
        "x", Nd4j.createFromArray(x).reshape(batch, time),
        "y", Nd4j.createFromArray(y).reshape(batch, time)), batch, (long) batch * time);
  }

  public int batch() {
    return batch;
  }

  public int time() {
    return time;
  }

  /** Tokens in the stream. */
  public int length() {
    return tokens.length;
  }
}
