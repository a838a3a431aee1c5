package org.genai4j.llm.finetune;

import org.genai4j.common.ops.SoftmaxCrossEntropy;
import org.genai4j.common.ops.StepContext;
import org.genai4j.common.ops.Tensor;

/**
 * The log-probability a language model gives each sequence's response: for sequence {@code s},
 * the {@link Reduction#MEAN mean} (or {@link Reduction#SUM sum}) over its positions {@code t}
 * whose target is not the ignore index of {@code log softmax(logits[s, t])[target[s, t]]}. Prompt
 * and padding positions carry the ignore index ({@link InstructionBatches}), so only response
 * tokens count. What DPO compares between a chosen and a rejected response.
 *
 * <p>The forward pass keeps each row's log-sum-exp and reads the logits again in the backward
 * pass, which takes {@code dL/dlogp} per sequence and returns {@code dL/dlogits}: {@code g (onehot
 * - softmax)} on the real rows ({@code g = dL/dlogp[s]}, divided by the sequence's count for the
 * mean), zero on the ignored ones. The logits must be left unchanged in between; the gradient goes
 * to a tensor of the op or, after {@link #gradientInLogits()}, over the logits themselves (an
 * output {@link org.genai4j.common.ops.Linear} keeps its input, not its logits).
 *
 * <p>Per sequence, not per batch: no sum across shards is needed. Not thread-safe (it owns its buffers).
 */
public final class ResponseLogProb {

  /** How the token log-probabilities of a response add up. */
  public enum Reduction {
    /** Their sum: the log-probability of the whole response (the DPO paper's). */
    SUM,
    /** Their mean over the response's tokens (LLMs-from-scratch's, which makes long and short responses comparable). */
    MEAN
  }

  private final Reduction reduction;
  private final int ignoreIndex;
  private boolean inPlace;
  private float[] row = new float[0];
  private float[] logSumExp = new float[0];
  private int[] counts = new int[0];
  private int[] targets = new int[0];
  private Tensor logits;
  private Tensor grad;
  private int sequences;
  private int time;

  /** Log-probabilities reduced by {@code reduction}, ignoring targets of {@link SoftmaxCrossEntropy#DEFAULT_IGNORE_INDEX}. */
  public ResponseLogProb(Reduction reduction) {
    this(reduction, SoftmaxCrossEntropy.DEFAULT_IGNORE_INDEX);
  }

  /** The same, ignoring targets equal to {@code ignoreIndex} (negative: it must not be a token). */
  public ResponseLogProb(Reduction reduction, int ignoreIndex) {
    if (ignoreIndex >= 0) {
      throw new IllegalArgumentException("response log-probability: the ignore index must be negative, got "
          + ignoreIndex);
    }
    this.reduction = reduction;
    this.ignoreIndex = ignoreIndex;
  }

  /** Writes the backward pass's gradient over the logits instead of into a tensor of its own. */
  public ResponseLogProb gradientInLogits() {
    inPlace = true;
    return this;
  }

  public Reduction reduction() {
    return reduction;
  }

  /**
   * The log-probability of each of {@code sequences} sequences: {@code logits} {@code [S, T, V]}
   * (or any shape of {@code S*T} rows of {@code V}), {@code targets[0 .. S*T)} row-major; a
   * sequence without a real target gets 0.
   */
  public double[] forward(StepContext ctx, Tensor logits, int[] targets, int sequences) {
    int v = logits.rank() == 0 ? 0 : logits.dim(logits.rank() - 1);
    if (v == 0 || sequences < 1 || (logits.length() / v) % sequences != 0) {
      throw new IllegalArgumentException("response log-probability takes logits [sequences, time, vocab] for "
          + sequences + " sequences, got " + logits);
    }
    int rows = logits.length() / v;
    if (targets.length < rows) {
      throw new IllegalArgumentException("response log-probability: " + rows + " rows of logits " + logits
          + " need as many targets, there are " + targets.length);
    }
    this.logits = logits;
    this.sequences = sequences;
    this.time = rows / sequences;
    if (row.length < v) {
      row = new float[v];
    }
    if (logSumExp.length < rows) {
      logSumExp = new float[rows];
      this.targets = new int[rows];
    }
    if (counts.length < sequences) {
      counts = new int[sequences];
    }
    System.arraycopy(targets, 0, this.targets, 0, rows);
    double[] out = new double[sequences];
    for (int s = 0; s < sequences; s++) {
      double sum = 0;
      int count = 0;
      for (int t = 0; t < time; t++) {
        int n = s * time + t;
        int target = targets[n];
        if (target == ignoreIndex) {
          continue;
        }
        if (target < 0 || target >= v) {
          throw new IllegalArgumentException("response log-probability: target " + target + " (sequence " + s
              + ", position " + t + ") is outside the vocabulary 0.." + (v - 1) + " and is not the ignore index "
              + ignoreIndex);
        }
        logits.read(n * v, row, 0, v);
        float lse = logSumExp(row, v);
        logSumExp[n] = lse;
        sum += row[target] - (double) lse;
        count++;
      }
      counts[s] = count;
      out[s] = reduction == Reduction.MEAN && count > 0 ? sum / count : sum;
    }
    return out;
  }

  /**
   * The gradient with respect to the last forward pass's logits of a loss whose gradient with
   * respect to the sequences' log-probabilities is {@code dLogProb[0 .. S)}.
   */
  public Tensor backward(StepContext ctx, double[] dLogProb) {
    if (logits == null) {
      throw new IllegalStateException("response log-probability: backward before a forward pass");
    }
    if (dLogProb.length != sequences) {
      throw new IllegalArgumentException("response log-probability: the gradient has " + dLogProb.length
          + " values for " + sequences + " sequences");
    }
    int v = logits.dim(logits.rank() - 1);
    Tensor g = inPlace ? logits : (grad = Tensor.ensure(grad, logits.shape()));
    for (int s = 0; s < sequences; s++) {
      float scale = (float) (reduction == Reduction.MEAN && counts[s] > 0 ? dLogProb[s] / counts[s] : dLogProb[s]);
      for (int t = 0; t < time; t++) {
        int n = s * time + t;
        int target = targets[n];
        if (target == ignoreIndex || scale == 0f) {
          java.util.Arrays.fill(row, 0, v, 0f);
          g.write(n * v, row, 0, v);
          continue;
        }
        logits.read(n * v, row, 0, v);
        float lse = logSumExp[n];
        // d logp / d l_c = onehot_c - softmax_c
        for (int c = 0; c < v; c++) {
          row[c] = -scale * org.genai4j.common.ops.FastMath.exp(row[c] - lse);
        }
        row[target] += scale;
        g.write(n * v, row, 0, v);
      }
    }
    return g;
  }

  /** {@code log sum exp l[0 .. v)}, shifted by the maximum so that no exponential overflows. */
  private static float logSumExp(float[] l, int v) {
    float max = Float.NEGATIVE_INFINITY;
    for (int c = 0; c < v; c++) {
      max = Math.max(max, l[c]);
    }
    double sum = 0;
    for (int c = 0; c < v; c++) {
      sum += org.genai4j.common.ops.FastMath.exp(l[c] - max);
    }
    return (float) (max + Math.log(sum));
  }
}
