package org.genai4j.llm.finetune;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.genai4j.common.ops.StepContext;
import org.genai4j.common.ops.Tensor;
import org.genai4j.common.train.Batch;
import org.genai4j.common.util.Parallel;
import org.genai4j.llm.model.Gpt;
import org.genai4j.llm.train.TokenBatches;

/**
 * The response log-probabilities a model gives preference pairs, in inference: what the frozen
 * reference contributes once before training, and what an evaluation asks of the policy. Pairs of
 * similar length go into the same batch (less padding), and the batches are spread over copies of
 * the model that share its weights, one per thread (a model's ops own their buffers).
 */
public final class PairLogProbs {
  private final List<Gpt> copies;
  private final int batch;
  private final int pad;
  private final ResponseLogProb.Reduction reduction;

  /**
   * Scores with {@code copies} (one model's copies on {@code Params.replica()}s, one per thread),
   * {@code batch} pairs per forward pass, padding with {@code pad}.
   */
  public PairLogProbs(List<Gpt> copies, int batch, int pad, ResponseLogProb.Reduction reduction) {
    if (copies.isEmpty() || batch < 1) {
      throw new IllegalArgumentException("scoring pairs needs a model and a batch >= 1, got " + copies.size()
          + " copies and batch " + batch);
    }
    this.copies = List.copyOf(copies);
    this.batch = batch;
    this.pad = pad;
    this.reduction = reduction;
  }

  /** The log-probabilities of {@code pairs}: {@code [pair][0: chosen, 1: rejected]}, in their order. */
  public double[][] of(List<PreferencePairs.Pair> pairs) {
    Integer[] order = IntStream.range(0, pairs.size()).boxed().toArray(Integer[]::new);
    java.util.Arrays.sort(order, Comparator.comparingInt(i -> length(pairs.get(i))));
    List<int[]> batches = new ArrayList<>();
    for (int from = 0; from < order.length; from += batch) {
      int[] rows = new int[Math.min(batch, order.length - from)];
      for (int i = 0; i < rows.length; i++) {
        rows[i] = order[from + i];
      }
      batches.add(rows);
    }
    double[][] out = new double[pairs.size()][];
    int threads = Math.max(1, Math.min(copies.size(), batches.size()));
    Parallel.of(threads).run(threads, t -> {
      ResponseLogProb op = new ResponseLogProb(reduction);
      StepContext ctx = StepContext.inference();
      int[] ids = new int[0];
      int[] targets = new int[0];
      for (int b = t; b < batches.size(); b += threads) {
        int[] rows = batches.get(b);
        List<PreferencePairs.Pair> part = new ArrayList<>(rows.length);
        for (int r : rows) {
          part.add(pairs.get(r));
        }
        Batch x = PreferencePairs.batchOf(part, null, pad);
        int time = (int) x.get("x").size(1) / 2;
        ids = TokenBatches.ids(x, "x", ids);
        targets = TokenBatches.ids(x, "y", targets);
        Tensor logits = copies.get(t).forward(ctx, ids, 2 * rows.length, time);
        double[] lp = op.forward(ctx, logits, targets, 2 * rows.length);
        for (int i = 0; i < rows.length; i++) {
          out[rows[i]] = new double[] {lp[2 * i], lp[2 * i + 1]};
        }
      }
    });
    return out;
  }

  private static int length(PreferencePairs.Pair p) {
    return Math.max(p.chosen().inputLength(), p.rejected().inputLength());
  }
}
