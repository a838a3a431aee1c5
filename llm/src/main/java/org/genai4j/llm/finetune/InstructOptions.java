package org.genai4j.llm.finetune;

import java.nio.file.Path;

/**
 * How {@link InstructionTraining} fine-tunes a GPT on instructions (LLMs-from-scratch chapter 7's
 * defaults: AdamW, lr 5e-5, weight decay 0.1, batch 8, 2 epochs, sequences of at most 1024 tokens,
 * losses on 5 batches every 5 steps, responses of up to 256 tokens).
 *
 * @param outDir the run folder (a new one; null: nothing written)
 * @param iters optimizer steps; 0: as many as {@code epochs} passes over the training split take
 * @param epochs passes over the training split when {@code iters} is 0
 * @param batch examples per step
 * @param lr the learning rate (constant)
 * @param weightDecay AdamW's weight decay
 * @param maxLength the most input tokens of a sequence (at most the model's context)
 * @param noTruncate refuse a sequence longer than that instead of cutting it
 * @param evalEvery steps between the train and validation losses in the log (0: at the start and end only)
 * @param evalBatches batches (of {@code batch}) of each split those losses read, in order; 0: the whole split
 * @param responseTokens the most tokens generated per test response (0: no test responses)
 * @param seed the seed of the batches (and of the LoRA adapters' initialization)
 * @param threads threads the batch is split over (0: the trainer's default)
 * @param progressBar whether to show progress
 * @param lora low-rank adapters to train instead of the whole model (null: full fine-tuning)
 */
public record InstructOptions(Path outDir, int iters, double epochs, int batch, double lr, double weightDecay,
    int maxLength, boolean noTruncate, int evalEvery, int evalBatches, int responseTokens, long seed, int threads,
    boolean progressBar, LoraConfig lora) {

  public InstructOptions {
    if (iters < 0) throw new IllegalArgumentException("--iters must be >= 0 (0: from --epochs), got " + iters);
    if (iters == 0 && !(epochs > 0)) {
      throw new IllegalArgumentException("--epochs must be > 0 when --iters is not given, got " + epochs);
    }
    if (batch < 1) throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
    if (!(lr > 0)) throw new IllegalArgumentException("--lr must be > 0, got " + lr);
    if (!(weightDecay >= 0)) throw new IllegalArgumentException("--weight-decay must be >= 0, got " + weightDecay);
    if (maxLength < 1) throw new IllegalArgumentException("--max-length must be >= 1, got " + maxLength);
    if (evalEvery < 0) throw new IllegalArgumentException("--eval-every must be >= 0, got " + evalEvery);
    if (evalBatches < 0) throw new IllegalArgumentException("--eval-batches must be >= 0 (0: all), got " + evalBatches);
    if (responseTokens < 0) {
      throw new IllegalArgumentException("--response-tokens must be >= 0 (0: no test responses), got "
          + responseTokens);
    }
    if (threads < 0) throw new IllegalArgumentException("--shards must be >= 1, got " + threads);
  }

  /** The book's settings into {@code outDir}. */
  public static InstructOptions defaults(Path outDir) {
    return new InstructOptions(outDir, 0, 2, 8, 5e-5, 0.1, 1024, false, 5, 5, 256, 123, 0, true, null);
  }

  /** Optimizer steps for a training split of {@code examples}: {@link #iters}, or {@link #epochs} passes over it. */
  public int steps(int examples) {
    return iters > 0 ? iters : (int) Math.max(1, Math.ceil(epochs * examples / batch));
  }

  public InstructOptions withOutDir(Path dir) {
    return new InstructOptions(dir, iters, epochs, batch, lr, weightDecay, maxLength, noTruncate, evalEvery,
        evalBatches, responseTokens, seed, threads, progressBar, lora);
  }

  /** Trains {@code n} steps, or {@code epochs} passes when {@code n} is 0. */
  public InstructOptions withLength(int n, double passes) {
    return new InstructOptions(outDir, n, passes, batch, lr, weightDecay, maxLength, noTruncate, evalEvery,
        evalBatches, responseTokens, seed, threads, progressBar, lora);
  }

  public InstructOptions withOptimizer(int batchSize, double learningRate, double decay) {
    return new InstructOptions(outDir, iters, epochs, batchSize, learningRate, decay, maxLength, noTruncate,
        evalEvery, evalBatches, responseTokens, seed, threads, progressBar, lora);
  }

  public InstructOptions withSequences(int length, boolean refuseLonger) {
    return new InstructOptions(outDir, iters, epochs, batch, lr, weightDecay, length, refuseLonger, evalEvery,
        evalBatches, responseTokens, seed, threads, progressBar, lora);
  }

  public InstructOptions withEval(int every, int batches, int tokens) {
    return new InstructOptions(outDir, iters, epochs, batch, lr, weightDecay, maxLength, noTruncate, every, batches,
        tokens, seed, threads, progressBar, lora);
  }

  public InstructOptions withRun(long s, int t, boolean bar) {
    return new InstructOptions(outDir, iters, epochs, batch, lr, weightDecay, maxLength, noTruncate, evalEvery,
        evalBatches, responseTokens, s, t, bar, lora);
  }

  /** The same with LoRA adapters on the base (null: full fine-tuning). */
  public InstructOptions withLora(LoraConfig l) {
    return new InstructOptions(outDir, iters, epochs, batch, lr, weightDecay, maxLength, noTruncate, evalEvery,
        evalBatches, responseTokens, seed, threads, progressBar, l);
  }
}
