package org.genai4j.llm.finetune;

import org.genai4j.common.ops.StepContext;

/**
 * The direct preference optimization loss (Rafailov et al. 2023; LLMs-from-scratch chapter 7,
 * notebook 04) of a batch of preference pairs, from the response log-probabilities of the policy
 * ({@code pc}, {@code pr}: chosen, rejected) and of the frozen reference model ({@code rc}, {@code
 * rr}): {@code z = beta ((pc - rc) - (pr - rr))}, loss {@code -log sigmoid(z)}, the mean over the
 * whole batch. Its gradient is {@code dL/dpc = beta (sigmoid(z) - 1) / N = -dL/dpr}; the reference
 * gets none.
 *
 * <p>Sharded batches: each shard passes its own pairs and gets its part of the batch's mean (its
 * sum divided by the whole batch's pair count, summed over shards with {@link
 * StepContext#allReduceSum}), so the shards' losses, metrics and gradients add up to the batch's.
 */
public final class DpoLoss {
  private final double beta;

  /** The loss with strength {@code beta} (how far the policy may move from the reference: smaller is farther). */
  public DpoLoss(double beta) {
    if (!(beta > 0) || !Double.isFinite(beta)) {
      throw new IllegalArgumentException("--beta must be a positive number, got " + beta);
    }
    this.beta = beta;
  }

  public double beta() {
    return beta;
  }

  /**
   * What a batch's loss came to, each a (part of the) mean over the pairs: the loss, the reward
   * margin {@code beta ((pc - rc) - (pr - rr))}, the chosen and rejected rewards {@code beta (pc -
   * rc)}, {@code beta (pr - rr)}, the policy's log-probabilities, and the gradients with respect to
   * this shard's {@code pc} and {@code pr}.
   */
  public record Value(double loss, double margin, double chosenReward, double rejectedReward, double chosenLogProb,
      double rejectedLogProb, double[] dChosen, double[] dRejected) {

    /** The scalars by the names {@code metrics.jsonl} logs them under. */
    public java.util.Map<String, Double> metrics() {
      java.util.Map<String, Double> m = new java.util.LinkedHashMap<>();
      m.put("reward_margin", margin);
      m.put("chosen_reward", chosenReward);
      m.put("rejected_reward", rejectedReward);
      m.put("chosen_logp", chosenLogProb);
      m.put("rejected_logp", rejectedLogProb);
      return m;
    }
  }

  /** The loss of this shard's pairs (all arrays of the same length) as part of the whole batch's mean. */
  public Value forward(StepContext ctx, double[] pc, double[] pr, double[] rc, double[] rr) {
    int n = pc.length;
    if (pr.length != n || rc.length != n || rr.length != n) {
      throw new IllegalArgumentException("DPO: chosen and rejected log-probabilities of policy and reference must"
          + " come in equal numbers, got " + n + ", " + pr.length + ", " + rc.length + ", " + rr.length);
    }
    double total = ctx.allReduceSum((double) n);
    double inv = total > 0 ? 1.0 / total : 0.0;
    double loss = 0;
    double margin = 0;
    double chosen = 0;
    double rejected = 0;
    double chosenLp = 0;
    double rejectedLp = 0;
    double[] dc = new double[n];
    double[] dr = new double[n];
    for (int i = 0; i < n; i++) {
      double cr = beta * (pc[i] - rc[i]);
      double rj = beta * (pr[i] - rr[i]);
      double z = cr - rj;
      loss += softplus(-z);
      // d(-log sigmoid z)/dz = sigmoid(z) - 1 = -sigmoid(-z)
      double dz = -sigmoid(-z) * inv;
      dc[i] = beta * dz;
      dr[i] = -beta * dz;
      margin += z;
      chosen += cr;
      rejected += rj;
      chosenLp += pc[i];
      rejectedLp += pr[i];
    }
    return new Value(loss * inv, margin * inv, chosen * inv, rejected * inv, chosenLp * inv, rejectedLp * inv, dc, dr);
  }

  /** {@code log(1 + e^x)} without overflow. */
  static double softplus(double x) {
    return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
  }

  static double sigmoid(double x) {
    return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
  }
}
