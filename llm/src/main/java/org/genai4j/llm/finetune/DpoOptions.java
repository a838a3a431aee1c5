package org.genai4j.llm.finetune;

import java.nio.file.Path;

/**
 * How {@link DpoTraining} tunes a model on preference pairs. LLMs-from-scratch's settings for GPT-2
 * 355M: AdamW at 5e-6 with weight decay 0.01, batch 8, one epoch (117 steps of its 935 training
 * pairs), beta 0.1, the mean log-probability over response tokens. A small model genai4j pretrains
 * here moves little at that rate; at 5e-5 the README's char GPT widened its held-out gap, and drifted
 * far from its reference.
 *
 * @param outDir the run folder (a new one; null: nothing written)
 * @param iters optimizer steps
 * @param batch preference pairs per step
 * @param lr the learning rate (constant)
 * @param weightDecay AdamW's weight decay
 * @param beta DPO's beta: the reward is {@code beta} times the log-probability gained over the reference
 * @param maxLength sequences keep at most this many input tokens (and the model's context at most)
 * @param noTruncate refuse a longer sequence instead of cutting it
 * @param evalEvery steps between validation evaluations in the log (0: at the end only)
 * @param evalPairs validation pairs evaluated each time (0: all of them)
 * @param seed the batches' seed
 * @param threads threads a batch is split over (0: the trainer's default)
 * @param progressBar whether to show a progress bar
 * @param reduction how a response's token log-probabilities add up (LLMs-from-scratch: the mean)
 * @param lora low-rank adapters to train instead of the whole model (null: the whole model trains);
 *     the saved model has them merged into its weights
 */
public record DpoOptions(Path outDir, int iters, int batch, double lr, double weightDecay, double beta, int maxLength,
    boolean noTruncate, int evalEvery, int evalPairs, long seed, int threads, boolean progressBar,
    ResponseLogProb.Reduction reduction, LoraConfig lora) {

  public DpoOptions {
    if (iters < 1) throw new IllegalArgumentException("--iters must be >= 1, got " + iters);
    if (batch < 1) throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
    if (!(lr > 0)) throw new IllegalArgumentException("--lr must be > 0, got " + lr);
    if (!(weightDecay >= 0)) throw new IllegalArgumentException("--weight-decay must be >= 0, got " + weightDecay);
    if (!(beta > 0) || !Double.isFinite(beta)) throw new IllegalArgumentException("--beta must be > 0, got " + beta);
    if (maxLength < 1) throw new IllegalArgumentException("--max-length must be >= 1, got " + maxLength);
    if (evalEvery < 0) throw new IllegalArgumentException("--eval-every must be >= 0, got " + evalEvery);
    if (evalPairs < 0) throw new IllegalArgumentException("--eval-pairs must be >= 0 (0: all), got " + evalPairs);
    if (threads < 0) throw new IllegalArgumentException("--threads must be >= 0, got " + threads);
    if (reduction == null) throw new IllegalArgumentException("the log-probability reduction must be given");
  }

  /** LLMs-from-scratch's settings (one epoch of its split at batch 8), into {@code outDir}. */
  public static DpoOptions defaults(Path outDir) {
    return new DpoOptions(outDir, 117, 8, 5e-6, 0.01, 0.1, 1024, false, 10, 0, 123, 0, true,
        ResponseLogProb.Reduction.MEAN, null);
  }

  public DpoOptions withOutDir(Path dir) {
    return new DpoOptions(dir, iters, batch, lr, weightDecay, beta, maxLength, noTruncate, evalEvery, evalPairs, seed,
        threads, progressBar, reduction, lora);
  }

  public DpoOptions withSteps(int steps, int batchSize, double learningRate) {
    return new DpoOptions(outDir, steps, batchSize, learningRate, weightDecay, beta, maxLength, noTruncate, evalEvery,
        evalPairs, seed, threads, progressBar, reduction, lora);
  }

  public DpoOptions withBeta(double b) {
    return new DpoOptions(outDir, iters, batch, lr, weightDecay, b, maxLength, noTruncate, evalEvery, evalPairs, seed,
        threads, progressBar, reduction, lora);
  }

  public DpoOptions withRun(long s, int t, boolean bar, int every) {
    return new DpoOptions(outDir, iters, batch, lr, weightDecay, beta, maxLength, noTruncate, every, evalPairs, s, t,
        bar, reduction, lora);
  }

  public DpoOptions withLength(int length, boolean refuseLonger) {
    return new DpoOptions(outDir, iters, batch, lr, weightDecay, beta, length, refuseLonger, evalEvery, evalPairs, seed,
        threads, progressBar, reduction, lora);
  }

  public DpoOptions withReduction(ResponseLogProb.Reduction r) {
    return new DpoOptions(outDir, iters, batch, lr, weightDecay, beta, maxLength, noTruncate, evalEvery, evalPairs, seed,
        threads, progressBar, r, lora);
  }

  /** LoRA's hook: adapters of these settings train instead of the whole model (null: none). */
  public DpoOptions withLora(LoraConfig l) {
    return new DpoOptions(outDir, iters, batch, lr, weightDecay, beta, maxLength, noTruncate, evalEvery, evalPairs, seed,
        threads, progressBar, reduction, l);
  }

  public DpoOptions withWeightDecay(double decay) {
    return new DpoOptions(outDir, iters, batch, lr, decay, beta, maxLength, noTruncate, evalEvery, evalPairs, seed,
        threads, progressBar, reduction, lora);
  }

  public DpoOptions withEvalPairs(int n) {
    return new DpoOptions(outDir, iters, batch, lr, weightDecay, beta, maxLength, noTruncate, evalEvery, n, seed,
        threads, progressBar, reduction, lora);
  }
}
