package org.genai4j.llm.finetune;

import org.genai4j.common.ops.Init;
import org.genai4j.common.ops.Linear;
import org.genai4j.common.ops.Params;
import org.genai4j.common.ops.SoftmaxCrossEntropy;
import org.genai4j.common.ops.StepContext;
import org.genai4j.common.ops.Tensor;
import org.genai4j.common.train.Batch;
import org.genai4j.common.train.StepLoss;
import org.genai4j.llm.model.Gpt;
import org.genai4j.llm.model.GptConfig;
import org.genai4j.llm.train.TokenBatches;

/**
 * A GPT with a classification head, as LLMs-from-scratch's chapter 6 builds it: the output layer
 * is replaced by {@code score} ({@code [classes, C]} with a bias), read at each sequence's last
 * real token, which in a causal model has seen the whole text; padding after it changes nothing,
 * so no attention mask is needed. Batches are {@link ClassificationBatches}: ids {@code x} {@code
 * [B, L]}, the last real position {@code last} {@code [B]} and the label {@code y} {@code [B]}.
 *
 * <p>Parameters: the GPT's under their usual names plus {@code score.weight} and {@code
 * score.bias}. Not thread-safe (ops own their buffers); the trainer runs one copy per shard.
 */
public final class GptClassifier {
  private final Gpt gpt;
  private final int classes;
  private final Linear score;
  private final SoftmaxCrossEntropy crossEntropy = new SoftmaxCrossEntropy();
  private Tensor gathered;
  private Tensor dHidden;
  private int[] last = new int[0];
  private int[] ids = new int[0];
  private int[] labels = new int[0];
  /** One hidden row, copied between the hidden states and the gathered rows. */
  private float[] row = new float[0];
  private int batch;
  private int time;

  /**
   * A classifier with LoRA adapters on its GPT ({@code lora} null: none), as a fine-tuning run and
   * its saved form build it.
   */
  public GptClassifier(GptConfig config, int classes, Params params, LoraConfig lora) {
    this(config, classes, params);
    if (lora != null) {
      gpt.addLowRank(lora.rank(), lora.alpha(), lora.targets());
    }
  }

  /** A classifier of {@code classes} classes on a GPT of {@code config}, built on {@code params}. */
  public GptClassifier(GptConfig config, int classes, Params params) {
    if (classes < 2) {
      throw new IllegalArgumentException("a classifier needs at least 2 classes, got " + classes);
    }
    this.gpt = new Gpt(config, params);
    this.classes = classes;
    this.score = new Linear(params, "score", config.nEmbd(), classes, true, Init.normal(0.02), Init.zeros());
  }

  public Gpt gpt() {
    return gpt;
  }

  public int classes() {
    return classes;
  }

  public Params params() {
    return gpt.params();
  }

  /**
   * The class logits {@code [batch, classes]} of sequences {@code ids} ({@code [batch, time]},
   * row-major) read at positions {@code last[b]}.
   */
  public Tensor forward(StepContext ctx, int[] ids, int[] last, int batch, int time) {
    Tensor h = gpt.hidden(ctx, ids, batch, time);
    int c = gpt.config().nEmbd();
    gathered = Tensor.ensure(gathered, batch, c);
    row = row.length == c ? row : new float[c];
    for (int b = 0; b < batch; b++) {
      if (last[b] < 0 || last[b] >= time) {
        throw new IllegalArgumentException("last real position " + last[b] + " of sequence " + b + " is outside 0.."
            + (time - 1));
      }
      h.read((b * time + last[b]) * c, row, 0, c);
      gathered.write(b * c, row, 0, c);
    }
    this.batch = batch;
    this.time = time;
    if (this.last.length < batch) {
      this.last = new int[batch];
    }
    System.arraycopy(last, 0, this.last, 0, batch);
    return score.forward(ctx, gathered);
  }

  /** The mean cross-entropy of the last forward pass's logits against {@code labels} (this shard's part). */
  public double loss(StepContext ctx, Tensor logits, int[] labels) {
    return crossEntropy.forward(ctx, logits, labels);
  }

  /** The gradients of the last training {@link #loss}, added into the (unfrozen) parameters' gradients. */
  public void backward(StepContext ctx) {
    Tensor dGathered = score.backward(ctx, crossEntropy.backward(ctx));
    int c = gpt.config().nEmbd();
    dHidden = Tensor.ensure(dHidden, batch, time, c);
    dHidden.zero();
    row = row.length == c ? row : new float[c];
    for (int b = 0; b < batch; b++) {
      dGathered.read(b * c, row, 0, c);
      dHidden.write((b * time + last[b]) * c, row, 0, c);
    }
    gpt.backwardHidden(ctx, dHidden);
  }

  /** A training step on a batch of {@link ClassificationBatches}. */
  public StepLoss trainStep(Batch b, StepContext ctx) {
    int n = b.examples();
    int t = (int) b.get("x").size(1);
    ids = TokenBatches.ids(b, "x", ids);
    last = TokenBatches.ids(b, "last", last);
    labels = TokenBatches.ids(b, "y", labels);
    Tensor logits = forward(ctx, ids, last, n, t);
    double loss = loss(ctx, logits, labels);
    backward(ctx);
    return StepLoss.of(loss);
  }
}
