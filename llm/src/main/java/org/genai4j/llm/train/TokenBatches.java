package org.genai4j.llm.train;

import java.util.Random;
import org.genai4j.common.train.Batch;
import org.genai4j.common.train.BatchSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Random windows of a token stream, as nanoGPT's get_batch: {@code x} is {@code batch} windows
 * of {@code time} tokens starting at uniformly random offsets, {@code y} the same windows shifted
 * by one, both INT {@code [batch, time]}. The throughput unit is the token.
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

  /**
   * The start offsets of the next batch's windows, drawn from {@code rng} as {@link #next} draws
   * them (a cluster's driver draws these and ships them instead of the windows).
   */
  public int[] offsets(Random rng) {
    int[] offsets = new int[batch];
    int starts = tokens.length - time;
    for (int b = 0; b < batch; b++) {
      offsets[b] = rng.nextInt(starts);
    }
    return offsets;
  }

  @Override
  public Batch next(Random rng) {
    int[] x = new int[batch * time];
    int[] y = new int[batch * time];
    int[] offsets = offsets(rng);
    for (int b = 0; b < batch; b++) {
      int s = offsets[b];
      System.arraycopy(tokens, s, x, b * time, time);
      System.arraycopy(tokens, s + 1, y, b * time, time);
    }
    return new Batch(java.util.Map.of(
        "x", Nd4j.createFromArray(x).reshape(batch, time),
        "y", Nd4j.createFromArray(y).reshape(batch, time)), batch, (long) batch * time);
  }

  /**
   * The ids of array {@code name} of {@code batch} (a whole batch or a shard's rows of one), in
   * row-major order, copied into {@code reuse} when it is large enough (else into a new array that
   * is returned): the model reads its ids once per step without allocating.
   */
  public static int[] ids(Batch batch, String name, int[] reuse) {
    INDArray a = batch.get(name);
    int n = (int) a.length();
    int[] dst = reuse != null && reuse.length >= n ? reuse : new int[n];
    if (a.dataType() == DataType.INT && a.ordering() == 'c' && a.elementWiseStride() == 1) {
      // A block of rows of a row-major array is one run of its buffer (bulk copy, no native allocation).
      a.data().asNioInt().get((int) a.offset(), dst, 0, n);
    } else {
      System.arraycopy(a.dup('c').castTo(DataType.INT).data().asInt(), 0, dst, 0, n);
    }
    return dst;
  }

  public int batch() {
    return batch;
  }

  public int time() {
    return time;
  }

  /** A hash of the token ids, to check that another copy of the stream (a cluster executor's) is this one. */
  public int fingerprint() {
    return java.util.Arrays.hashCode(tokens);
  }

  /** Tokens in the stream. */
  public int length() {
    return tokens.length;
  }
}
