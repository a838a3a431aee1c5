package org.genai4j.llm.finetune;

import java.util.Map;
import java.util.Random;
import org.genai4j.common.train.Batch;
import org.genai4j.common.train.BatchSource;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Batches of labeled token sequences for a {@link GptClassifier}: each step draws {@code batch}
 * examples at random, pads them (with {@code pad}) to the longest of the batch, and gives ids
 * {@code x} {@code [B, L]}, each sequence's last real position {@code last} and its label {@code
 * y}. Sequences are truncated to their first {@code maxLength} tokens beforehand ({@link #encode}).
 * The throughput unit is the example.
 */
public final class ClassificationBatches implements BatchSource {
  private final int[][] sequences;
  private final int[] labels;
  private final int batch;
  private final int pad;

  public ClassificationBatches(int[][] sequences, int[] labels, int batch, int pad) {
    if (sequences.length == 0 || sequences.length != labels.length) {
      throw new IllegalArgumentException("need one label per sequence and at least one sequence, got "
          + sequences.length + " sequences and " + labels.length + " labels");
    }
    if (batch < 1) {
      throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
    }
    this.sequences = sequences;
    this.labels = labels;
    this.batch = batch;
    this.pad = pad;
  }

  /** The ids of each text, at most the first {@code maxLength} of them (at least one: an empty text becomes {@code [pad]}). */
  public static int[][] encode(java.util.List<String> texts, java.util.function.Function<String, int[]> tokenizer,
      int maxLength, int pad) {
    int[][] out = new int[texts.size()][];
    for (int i = 0; i < out.length; i++) {
      int[] ids = tokenizer.apply(texts.get(i));
      out[i] = ids.length == 0 ? new int[] {pad} : java.util.Arrays.copyOf(ids, Math.min(ids.length, maxLength));
    }
    return out;
  }

  @Override
  public Batch next(Random rng) {
    int[] pick = new int[batch];
    for (int b = 0; b < batch; b++) {
      pick[b] = rng.nextInt(sequences.length);
    }
    return batchOf(pick);
  }

  /** The batch of examples {@code rows}, in this order. */
  public Batch batchOf(int[] rows) {
    int length = 1;
    for (int r : rows) {
      length = Math.max(length, sequences[r].length);
    }
    int[] x = new int[rows.length * length];
    java.util.Arrays.fill(x, pad);
    int[] last = new int[rows.length];
    int[] y = new int[rows.length];
    for (int b = 0; b < rows.length; b++) {
      int[] s = sequences[rows[b]];
      System.arraycopy(s, 0, x, b * length, s.length);
      last[b] = s.length - 1;
      y[b] = labels[rows[b]];
    }
    return Batch.of(Map.of("x", Nd4j.createFromArray(x).reshape(rows.length, length),
        "last", Nd4j.createFromArray(last), "y", Nd4j.createFromArray(y)), rows.length);
  }

  @Override
  public long stepsPerEpoch() {
    return (sequences.length + batch - 1) / batch;
  }

  public int size() {
    return sequences.length;
  }
}
