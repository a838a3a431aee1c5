package org.genai4j.llm;

import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.genai4j.common.ops.StepContext;
import org.genai4j.common.train.Batch;
import org.genai4j.common.util.Parallel;
import org.genai4j.llm.model.Gpt;
import org.genai4j.llm.train.TokenBatches;

/**
 * Loss, perplexity and bits per character of a model on a text, estimated as nanoGPT's
 * estimate_loss: the mean over {@code batches} random batches of block-size windows, drawn with a
 * fixed seed so two models (or two runs) see the same windows. The model's own forward pass in an
 * inference context: no dropout, nothing kept for gradients.
 */
public final class LlmEvaluation {
  private LlmEvaluation() {}

  /** nanoGPT's batch size for the reference config. */
  public static final int DEFAULT_BATCH = 12;

  /**
   * The result of an evaluation.
   *
   * @param loss mean cross-entropy per token (nats)
   * @param perplexity {@code exp(loss)}
   * @param bitsPerChar total nats / ln 2 / number of characters the predicted tokens stand for
   * @param bitsPerToken {@code loss / ln 2}
   * @param tokens predicted tokens evaluated
   * @param characters characters those tokens stand for
   */
  public record Result(double loss, double perplexity, double bitsPerChar, double bitsPerToken, long tokens,
      long characters) {

    /** {@code <split>_loss=<x> ppl=<y> bpc=<z>}. */
    public String format(String split) {
      return String.format(Locale.ROOT, "%s_loss=%.4f ppl=%.4f bpc=%.4f", split, loss, perplexity, bitsPerChar);
    }

    /** {@code val_loss=<x> ppl=<y> bpc=<z>}. */
    @Override
    public String toString() {
      return format("val");
    }
  }

  /** Evaluates on {@code batches} batches of {@link #DEFAULT_BATCH} windows of {@code text}. */
  public static Result evaluate(LlmModel model, String text, int batches, long seed) {
    return evaluate(model, model.tokenizer().encode(text), batches, DEFAULT_BATCH, seed);
  }

  /** Evaluates on already tokenized text, {@code batches} batches of {@code batchSize} block-size windows. */
  public static Result evaluate(LlmModel model, int[] tokens, int batches, int batchSize, long seed) {
    return evaluate(model, tokens, batches, batchSize, model.config().blockSize(), seed);
  }

  /** The same on windows of {@code time} tokens ({@code <=} the block size), as a run that trains on shorter ones. */
  public static Result evaluate(LlmModel model, int[] tokens, int batches, int batchSize, int time, long seed) {
    return evaluate(List.of(model), Parallel.serial(), tokens, batches, batchSize, time, seed);
  }

  /**
   * The same spread over {@code copies} of one model (sharing its weights, each with buffers of
   * its own), one thread each: the batches are drawn first, in order, and their losses added in
   * order, so the result is the one a single copy gives.
   */
  public static Result evaluate(List<LlmModel> copies, Parallel parallel, int[] tokens, int batches, int batchSize,
      int time, long seed) {
    if (batches < 1) {
      throw new IllegalArgumentException("batches must be >= 1, got " + batches);
    }
    LlmModel model = copies.get(0);
    if (time < 1 || time > model.gpt().config().blockSize()) {
      throw new IllegalArgumentException("evaluation windows of " + time + " tokens must be within the block size "
          + model.gpt().config().blockSize());
    }
    TokenBatches source = new TokenBatches(tokens, batchSize, time);
    Random rng = new Random(seed);
    int[][] xs = new int[batches][];
    int[][] ys = new int[batches][];
    for (int i = 0; i < batches; i++) {
      Batch b = source.next(rng);
      xs[i] = TokenBatches.ids(b, "x", new int[batchSize * time]);
      ys[i] = TokenBatches.ids(b, "y", new int[batchSize * time]);
    }
    double[] nats = new double[batches];
    int workers = Math.min(Math.min(copies.size(), parallel.threads()), batches);
    parallel.run(workers, w -> {
      Gpt gpt = copies.get(w).gpt();
      StepContext ctx = StepContext.inference();
      for (int i = w; i < batches; i += workers) {
        gpt.forward(ctx, xs[i], batchSize, time);
        nats[i] = gpt.loss(ctx, ys[i]) * ys[i].length;
      }
    });
    double total = 0;
    long count = 0;
    long chars = 0;
    for (int i = 0; i < batches; i++) {
      total += nats[i];
      count += ys[i].length;
      for (int t : ys[i]) {
        chars += model.tokenizer().charCount(t);
      }
    }
    double loss = total / count;
    return new Result(loss, Math.exp(loss), total / Math.log(2) / Math.max(1, chars), loss / Math.log(2), count,
        chars);
  }
}
