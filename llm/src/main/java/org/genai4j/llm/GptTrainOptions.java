package org.genai4j.llm;

import java.nio.file.Path;
import org.genai4j.common.train.RunFolder;

/**
 * How to train a GPT: the tokenizer, the batches, AdamW with warmup and cosine decay, clipping,
 * evaluation, the threads and the run folder. {@link #reference()} is nanoGPT's CPU run on Tiny
 * Shakespeare; change fields with the {@code with...} methods. The model's shape is its {@link
 * org.genai4j.llm.model.GptConfig}.
 *
 * @param tokenizer {@code char}, {@code bpe} or {@code gpt2}
 * @param bpeVocabSize vocabulary size a {@code bpe} tokenizer is trained to
 * @param batchSize sequences per micro-batch
 * @param accumulation micro-batches per optimizer step (gradient accumulation)
 * @param iters optimizer steps
 * @param lr peak learning rate
 * @param minLr learning rate at the end of the cosine decay
 * @param warmup linear warmup steps
 * @param lrDecayIters step at which the cosine decay reaches {@code minLr}
 * @param beta1 AdamW beta1
 * @param beta2 AdamW beta2
 * @param weightDecay AdamW decoupled weight decay (matrices and embeddings only, as nanoGPT)
 * @param clipNorm global gradient-norm clipping (0: off)
 * @param evalEvery steps between validation evaluations and checkpoints (0: only at the end)
 * @param evalBatches validation batches per evaluation
 * @param logEvery steps between metric records
 * @param seed seed of initialization, batches, dropout and evaluation windows
 * @param threads threads a step splits its batch over (0: the trainer's default, one per core)
 * @param outDir the run folder (config, tokenizer, options, metrics, checkpoints); null for none
 * @param start how the run starts in {@code outDir} ({@link RunFolder.Start}): a new run (into an empty
 *     folder, or replacing a run with overwrite), or resumed from its last checkpoint
 * @param progressBar show a progress bar on the terminal
 */
public record GptTrainOptions(
    String tokenizer,
    int bpeVocabSize,
    int batchSize,
    int accumulation,
    int iters,
    double lr,
    double minLr,
    int warmup,
    int lrDecayIters,
    double beta1,
    double beta2,
    double weightDecay,
    double clipNorm,
    int evalEvery,
    int evalBatches,
    int logEvery,
    long seed,
    int threads,
    Path outDir,
    RunFolder.Start start,
    boolean progressBar) {

  public GptTrainOptions {
    if (tokenizer == null || !(tokenizer.equals("char") || tokenizer.equals("bpe") || tokenizer.equals("gpt2"))) {
      throw new IllegalArgumentException("tokenizer must be char, bpe or gpt2, got " + tokenizer);
    }
    if (bpeVocabSize < 1) throw new IllegalArgumentException("bpeVocabSize must be >= 1, got " + bpeVocabSize);
    if (batchSize < 1) throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
    if (accumulation < 1) throw new IllegalArgumentException("accumulation must be >= 1, got " + accumulation);
    if (iters < 0) throw new IllegalArgumentException("iters must be >= 0, got " + iters);
    if (!(lr > 0)) throw new IllegalArgumentException("lr must be > 0, got " + lr);
    if (!(minLr >= 0 && minLr <= lr)) throw new IllegalArgumentException("minLr must be in [0, lr], got " + minLr);
    if (warmup < 0) throw new IllegalArgumentException("warmup must be >= 0, got " + warmup);
    if (lrDecayIters < warmup) {
      throw new IllegalArgumentException("lrDecayIters (" + lrDecayIters + ") must be >= warmup (" + warmup + ")");
    }
    if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException("beta1 must be in [0, 1), got " + beta1);
    if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("beta2 must be in [0, 1), got " + beta2);
    if (!(weightDecay >= 0)) throw new IllegalArgumentException("weightDecay must be >= 0, got " + weightDecay);
    if (!(clipNorm >= 0)) throw new IllegalArgumentException("clipNorm must be >= 0 (0: off), got " + clipNorm);
    if (evalEvery < 0) throw new IllegalArgumentException("evalEvery must be >= 0, got " + evalEvery);
    if (evalBatches < 1) throw new IllegalArgumentException("evalBatches must be >= 1, got " + evalBatches);
    if (logEvery < 1) throw new IllegalArgumentException("logEvery must be >= 1, got " + logEvery);
    if (threads < 0) throw new IllegalArgumentException("threads must be >= 0 (0: default), got " + threads);
    if (start.resume() && outDir == null) {
      throw new IllegalArgumentException("resume needs the run folder (outDir) that holds the run to continue");
    }
  }

  /** With a plain resume flag: resume, or a new run into an empty folder. */
  public GptTrainOptions(String tokenizer, int bpeVocabSize, int batchSize, int accumulation, int iters, double lr,
      double minLr, int warmup, int lrDecayIters, double beta1, double beta2, double weightDecay, double clipNorm,
      int evalEvery, int evalBatches, int logEvery, long seed, int threads, Path outDir, boolean resume,
      boolean progressBar) {
    this(tokenizer, bpeVocabSize, batchSize, accumulation, iters, lr, minLr, warmup, lrDecayIters, beta1, beta2,
        weightDecay, clipNorm, evalEvery, evalBatches, logEvery, seed, threads, outDir,
        resume ? RunFolder.Start.RESUME : RunFolder.Start.NEW, progressBar);
  }

  /** True when the run continues the one in {@code outDir}. */
  public boolean resume() {
    return start.resume();
  }

  /** With how the run starts in its folder (resume, overwrite, allow changed options). */
  public GptTrainOptions withStart(RunFolder.Start s) {
    return new GptTrainOptions(tokenizer, bpeVocabSize, batchSize, accumulation, iters, lr, minLr, warmup,
        lrDecayIters, beta1, beta2, weightDecay, clipNorm, evalEvery, evalBatches, logEvery, seed, threads, outDir,
        s, progressBar);
  }

  /**
   * nanoGPT's Tiny Shakespeare CPU run: char tokenizer, batch 12, 2000 iterations, lr 1e-3 with 100
   * warmup steps and cosine decay to 1e-4, beta2 0.99, weight decay 0.1, clipping 1.0; evaluation
   * every 250 steps on 20 batches; seed 1337; no run folder.
   */
  public static GptTrainOptions reference() {
    return new GptTrainOptions("char", 512, 12, 1, 2000, 1e-3, 1e-4, 100, 2000, 0.9, 0.99, 0.1, 1.0, 250, 20, 10,
        1337, 0, null, false, true);
  }

  /** {@link #reference()} writing its run to {@code outDir}. */
  public static GptTrainOptions reference(Path outDir) {
    return reference().withOut(outDir);
  }

  public GptTrainOptions withTokenizer(String kind, int bpeVocab) {
    return new GptTrainOptions(kind, bpeVocab, batchSize, accumulation, iters, lr, minLr, warmup, lrDecayIters,
        beta1, beta2, weightDecay, clipNorm, evalEvery, evalBatches, logEvery, seed, threads, outDir, start,
        progressBar);
  }

  /** Sets the step count; the cosine decay is stretched to end at the last step. */
  public GptTrainOptions withIters(int n) {
    return new GptTrainOptions(tokenizer, bpeVocabSize, batchSize, accumulation, n, lr, minLr, Math.min(warmup, n), n,
        beta1, beta2, weightDecay, clipNorm, evalEvery, evalBatches, logEvery, seed, threads, outDir, start,
        progressBar);
  }

  /** Sets the step count and, separately, the step where the cosine decay ends. */
  public GptTrainOptions withIters(int n, int decayIters) {
    return new GptTrainOptions(tokenizer, bpeVocabSize, batchSize, accumulation, n, lr, minLr, warmup, decayIters,
        beta1, beta2, weightDecay, clipNorm, evalEvery, evalBatches, logEvery, seed, threads, outDir, start,
        progressBar);
  }

  public GptTrainOptions withBatch(int batch, int accum) {
    return new GptTrainOptions(tokenizer, bpeVocabSize, batch, accum, iters, lr, minLr, warmup, lrDecayIters, beta1,
        beta2, weightDecay, clipNorm, evalEvery, evalBatches, logEvery, seed, threads, outDir, start, progressBar);
  }

  public GptTrainOptions withLr(double max, double min, int warmupSteps) {
    return new GptTrainOptions(tokenizer, bpeVocabSize, batchSize, accumulation, iters, max, min, warmupSteps,
        lrDecayIters, beta1, beta2, weightDecay, clipNorm, evalEvery, evalBatches, logEvery, seed, threads, outDir,
        start, progressBar);
  }

  public GptTrainOptions withBetas(double b1, double b2) {
    return new GptTrainOptions(tokenizer, bpeVocabSize, batchSize, accumulation, iters, lr, minLr, warmup,
        lrDecayIters, b1, b2, weightDecay, clipNorm, evalEvery, evalBatches, logEvery, seed, threads, outDir, start,
        progressBar);
  }

  public GptTrainOptions withWeightDecay(double wd) {
    return new GptTrainOptions(tokenizer, bpeVocabSize, batchSize, accumulation, iters, lr, minLr, warmup,
        lrDecayIters, beta1, beta2, wd, clipNorm, evalEvery, evalBatches, logEvery, seed, threads, outDir, start,
        progressBar);
  }

  public GptTrainOptions withClipNorm(double c) {
    return new GptTrainOptions(tokenizer, bpeVocabSize, batchSize, accumulation, iters, lr, minLr, warmup,
        lrDecayIters, beta1, beta2, weightDecay, c, evalEvery, evalBatches, logEvery, seed, threads, outDir, start,
        progressBar);
  }

  public GptTrainOptions withEval(int every, int batches) {
    return new GptTrainOptions(tokenizer, bpeVocabSize, batchSize, accumulation, iters, lr, minLr, warmup,
        lrDecayIters, beta1, beta2, weightDecay, clipNorm, every, batches, logEvery, seed, threads, outDir, start,
        progressBar);
  }

  public GptTrainOptions withLogEvery(int n) {
    return new GptTrainOptions(tokenizer, bpeVocabSize, batchSize, accumulation, iters, lr, minLr, warmup,
        lrDecayIters, beta1, beta2, weightDecay, clipNorm, evalEvery, evalBatches, n, seed, threads, outDir, start,
        progressBar);
  }

  public GptTrainOptions withSeed(long s) {
    return new GptTrainOptions(tokenizer, bpeVocabSize, batchSize, accumulation, iters, lr, minLr, warmup,
        lrDecayIters, beta1, beta2, weightDecay, clipNorm, evalEvery, evalBatches, logEvery, s, threads, outDir,
        start, progressBar);
  }

  /** Threads a step splits its batch over; 0 for the default. */
  public GptTrainOptions withThreads(int n) {
    return new GptTrainOptions(tokenizer, bpeVocabSize, batchSize, accumulation, iters, lr, minLr, warmup,
        lrDecayIters, beta1, beta2, weightDecay, clipNorm, evalEvery, evalBatches, logEvery, seed, n, outDir, start,
        progressBar);
  }

  public GptTrainOptions withOut(Path dir) {
    return new GptTrainOptions(tokenizer, bpeVocabSize, batchSize, accumulation, iters, lr, minLr, warmup,
        lrDecayIters, beta1, beta2, weightDecay, clipNorm, evalEvery, evalBatches, logEvery, seed, threads, dir,
        start, progressBar);
  }

  public GptTrainOptions withResume(boolean r) {
    return new GptTrainOptions(tokenizer, bpeVocabSize, batchSize, accumulation, iters, lr, minLr, warmup,
        lrDecayIters, beta1, beta2, weightDecay, clipNorm, evalEvery, evalBatches, logEvery, seed, threads, outDir,
        r ? RunFolder.Start.RESUME : RunFolder.Start.NEW, progressBar);
  }

  public GptTrainOptions withProgressBar(boolean on) {
    return new GptTrainOptions(tokenizer, bpeVocabSize, batchSize, accumulation, iters, lr, minLr, warmup,
        lrDecayIters, beta1, beta2, weightDecay, clipNorm, evalEvery, evalBatches, logEvery, seed, threads, outDir,
        start, on);
  }
}
