package org.genai4j.llm.finetune;

import org.genai4j.common.ops.StepContext;
import org.genai4j.common.ops.Tensor;
import org.genai4j.common.train.Batch;
import org.genai4j.common.train.StepLoss;
import org.genai4j.llm.model.Gpt;
import org.genai4j.llm.train.TokenBatches;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The policy's training step on a batch of {@link PreferencePairs}: one forward pass over the
 * chosen and rejected sequences together ({@code [2P, L]}), their response log-probabilities
 * ({@link ResponseLogProb}), the {@link DpoLoss} against the reference's log-probabilities the
 * batch carries, and the backward pass from the log-probabilities through the head and the GPT.
 * One per shard (the model's ops own their buffers).
 */
final class DpoStep {
  private final Gpt policy;
  private final ResponseLogProb logProb;
  private final DpoLoss loss;
  private int[] ids = new int[0];
  private int[] targets = new int[0];

  DpoStep(Gpt policy, ResponseLogProb.Reduction reduction, double beta) {
    this.policy = policy;
    // Nothing reads the logits after their log-probabilities: the gradient may go over them.
    this.logProb = new ResponseLogProb(reduction).gradientInLogits();
    this.loss = new DpoLoss(beta);
  }

  Gpt policy() {
    return policy;
  }

  StepLoss trainStep(Batch batch, StepContext ctx) {
    int pairs = batch.examples();
    int time = (int) batch.get("x").size(1) / 2;
    ids = TokenBatches.ids(batch, "x", ids);
    targets = TokenBatches.ids(batch, "y", targets);
    double[] ref = batch.get("ref").dup('c').castTo(DataType.DOUBLE).data().asDouble();
    Tensor logits = policy.forward(ctx, ids, 2 * pairs, time);
    double[] lp = logProb.forward(ctx, logits, targets, 2 * pairs);
    double[][] split = chosenAndRejected(lp, pairs);
    double[][] reference = chosenAndRejected(ref, pairs);
    DpoLoss.Value v = loss.forward(ctx, split[0], split[1], reference[0], reference[1]);
    double[] dLogProb = new double[2 * pairs];
    for (int i = 0; i < pairs; i++) {
      dLogProb[2 * i] = v.dChosen()[i];
      dLogProb[2 * i + 1] = v.dRejected()[i];
    }
    policy.backwardLogits(ctx, logProb.backward(ctx, dLogProb));
    return new StepLoss(v.loss(), v.metrics());
  }

  /** The even (chosen) and odd (rejected) entries of {@code interleaved}, {@code pairs} of each. */
  static double[][] chosenAndRejected(double[] interleaved, int pairs) {
    double[][] out = new double[2][pairs];
    for (int i = 0; i < pairs; i++) {
      out[0][i] = interleaved[2 * i];
      out[1][i] = interleaved[2 * i + 1];
    }
    return out;
  }
}
