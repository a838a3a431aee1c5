package org.genai4j.llm.finetune;

import java.nio.file.Path;

/**
 * How {@link ClassificationTraining} fine-tunes a classifier (LLMs-from-scratch chapter 6's
 * defaults: AdamW, lr 5e-5, weight decay 0.1, batch 8, the last block, the final norm and the head).
 *
 * @param outDir the run folder (a new one; null: nothing written)
 * @param trainLayers how many of the last Transformer blocks train (with the final norm and the
 *     head); -1 for all of the model, 0 for the head and final norm only
 * @param iters optimizer steps
 * @param batch examples per step
 * @param lr the learning rate (constant)
 * @param weightDecay AdamW's weight decay
 * @param maxLength sequences are cut to their first {@code maxLength} tokens (at most the block size)
 * @param evalEvery steps between validation accuracies in the log (0: at the end only)
 * @param seed the split's and the head's seed, and the batches'
 * @param threads threads the batch is split over (0: the trainer's default)
 * @param progressBar whether to show a progress bar
 * @param lora the low-rank adapters to train instead of the chosen layers (null: none); with them the
 *     base stays frozen whatever {@code trainLayers} says, and only the adapters and the head train
 */
public record ClassifierOptions(Path outDir, int trainLayers, int iters, int batch, double lr, double weightDecay,
    int maxLength, int evalEvery, long seed, int threads, boolean progressBar, LoraConfig lora) {

  /** The same without LoRA (the constructor before adapters existed). */
  public ClassifierOptions(Path outDir, int trainLayers, int iters, int batch, double lr, double weightDecay,
      int maxLength, int evalEvery, long seed, int threads, boolean progressBar) {
    this(outDir, trainLayers, iters, batch, lr, weightDecay, maxLength, evalEvery, seed, threads, progressBar, null);
  }

  public ClassifierOptions withLora(LoraConfig l) {
    return new ClassifierOptions(outDir, trainLayers, iters, batch, lr, weightDecay, maxLength, evalEvery, seed, threads,
        progressBar, l);
  }

  public ClassifierOptions {
    if (trainLayers < -1) {
      throw new IllegalArgumentException("--train-layers must be all or last-K with K >= 0, got " + trainLayers);
    }
    if (iters < 1) throw new IllegalArgumentException("--iters must be >= 1, got " + iters);
    if (batch < 1) throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
    if (!(lr > 0)) throw new IllegalArgumentException("--lr must be > 0, got " + lr);
    if (!(weightDecay >= 0)) throw new IllegalArgumentException("--weight-decay must be >= 0, got " + weightDecay);
    if (maxLength < 1) throw new IllegalArgumentException("--max-length must be >= 1, got " + maxLength);
    if (evalEvery < 0) throw new IllegalArgumentException("--eval-every must be >= 0, got " + evalEvery);
  }

  /** The book's settings, 5 epochs of the SMS training split at batch 8 (about 650 steps), into {@code outDir}. */
  public static ClassifierOptions defaults(Path outDir) {
    return new ClassifierOptions(outDir, 1, 650, 8, 5e-5, 0.1, 120, 50, 123, 0, true);
  }

  /** {@code all} or {@code last-K}: the value of {@link #trainLayers}. */
  public static int parseTrainLayers(String s) {
    String v = s == null ? "" : s.trim().toLowerCase(java.util.Locale.ROOT);
    if (v.equals("all")) {
      return -1;
    }
    if (v.startsWith("last-")) {
      try {
        int k = Integer.parseInt(v.substring(5));
        if (k >= 0) {
          return k;
        }
      } catch (NumberFormatException e) {
        // fall through to the error
      }
    }
    throw new IllegalArgumentException("--train-layers must be all or last-K (K >= 0, e.g. last-1), got '" + s + "'");
  }

  public ClassifierOptions withOutDir(Path dir) {
    return new ClassifierOptions(dir, trainLayers, iters, batch, lr, weightDecay, maxLength, evalEvery, seed, threads,
        progressBar, lora);
  }

  public ClassifierOptions withIters(int n) {
    return new ClassifierOptions(outDir, trainLayers, n, batch, lr, weightDecay, maxLength, evalEvery, seed, threads,
        progressBar, lora);
  }

  public ClassifierOptions withTrainLayers(int k) {
    return new ClassifierOptions(outDir, k, iters, batch, lr, weightDecay, maxLength, evalEvery, seed, threads,
        progressBar, lora);
  }

  public ClassifierOptions withOptimizer(int batchSize, double learningRate, double decay) {
    return new ClassifierOptions(outDir, trainLayers, iters, batchSize, learningRate, decay, maxLength, evalEvery, seed,
        threads, progressBar, lora);
  }

  public ClassifierOptions withRun(long s, int t, boolean bar, int every, int length) {
    return new ClassifierOptions(outDir, trainLayers, iters, batch, lr, weightDecay, length, every, s, t, bar, lora);
  }
}
