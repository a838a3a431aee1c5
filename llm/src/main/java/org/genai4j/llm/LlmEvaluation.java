package org.genai4j.llm;

import java.util.Random;
import org.genai4j.common.train.Batch;
import org.genai4j.llm.model.GptModel;
import org.genai4j.llm.train.TokenBatches;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Loss, perplexity and bits per character of a model on a text, estimated as nanoGPT's
 * estimate_loss: the mean over {@code batches} random batches of block-size windows, drawn with a
 * fixed seed so two models (or two runs) see the same windows.
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
  public record Result(double loss, double perplexity, double bitsPerChar, double bitsPerToken, long tokens, long characters) {

    /** {@code <split>_loss=<x> ppl=<y> bpc=<z>}. */
    public String format(String split) {
      return String.format(java.util.Locale.ROOT, "%s_loss=%.4f ppl=%.4f bpc=%.4f", split, loss, perplexity, bitsPerChar);
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

  /** Evaluates on already tokenized text. */
  public static Result evaluate(LlmModel model, int[] tokens, int batches, int batchSize, long seed) {
    return evaluate(model.graph(batchSize), model, tokens, batches, seed);
  }

  /**
   * Evaluates with an existing evaluation graph (whose weights must be current), as the trainer's
   * periodic evaluation does.
   */
  static Result evaluate(GptModel graph, LlmModel model, int[] tokens, int batches, long seed) {
    if (batches < 1) {
      throw new IllegalArgumentException("batches must be >= 1, got " + batches);
    }
    TokenBatches source = new TokenBatches(tokens, graph.batchSize(), graph.time());
    Random rng = new Random(seed);
    double nats = 0;
    long count = 0;
    long chars = 0;
    for (int i = 0; i < batches; i++) {
      Batch b = source.next(rng);
      INDArray y = b.get("y");
      double mean = graph.loss(b.get("x"), y);
      long n = y.length();
      nats += mean * n;
      count += n;
      for (int t : y.reshape(n).toIntVector()) {
        chars += model.tokenizer().charCount(t);
      }
    }
    double loss = nats / count;
    return new Result(loss, Math.exp(loss), nats / Math.log(2) / Math.max(1, chars), loss / Math.log(2), count, chars);
  }
}
