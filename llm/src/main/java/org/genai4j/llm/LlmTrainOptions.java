package org.genai4j.llm;

import org.genai4j.llm.model.PositionalEncoding;

/**
 * Everything a GPT training run needs besides its data. {@link #reference()} is nanoGPT's CPU
 * configuration for Tiny Shakespeare; change fields with the {@code with...} methods or build a
 * new record.
 *
 * @param tokenizer {@code char}, {@code bpe} or {@code gpt2}
 * @param bpeVocabSize vocabulary size a {@code bpe} tokenizer is trained to
 * @param nLayer Transformer blocks
 * @param nHead attention heads
 * @param nEmbd model width
 * @param blockSize context length in tokens
 * @param batchSize sequences per micro-batch
 * @param accumulation micro-batches per optimizer step (gradient accumulation)
 * @param iters optimizer steps
 * @param lr peak learning rate
 * @param minLr learning rate at the end of the cosine decay
 * @param warmup linear warmup steps
 * @param lrDecayIters step at which the cosine decay reaches {@code minLr}
 * @param beta1 AdamW beta1
 * @param beta2 AdamW beta2
 * @param weightDecay AdamW decoupled weight decay (applied to matrices only)
 * @param clipNorm global gradient-norm clipping (0: off)
 * @param dropout dropout probability
 * @param bias biases in linear layers and layer norms
 * @param positional positional encoding
 * @param tieWeights output head shares the token embedding
 * @param evalEvery steps between validation evaluations (and checkpoints)
 * @param evalBatches validation batches per periodic evaluation
 * @param logEvery steps between metric records
 * @param seed seed of initialization, batches and evaluation windows
 * @param resume continue from {@code last.ckpt} in the output directory if it exists
 * @param progressBar show a progress bar on the terminal
 */
public record LlmTrainOptions(
    String tokenizer,
    int bpeVocabSize,
    int nLayer,
    int nHead,
    int nEmbd,
    int blockSize,
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
    double dropout,
    boolean bias,
    PositionalEncoding positional,
    boolean tieWeights,
    int evalEvery,
    int evalBatches,
    int logEvery,
    long seed,
    boolean resume,
    boolean progressBar) {

  public LlmTrainOptions {
    if (tokenizer == null || !(tokenizer.equals("char") || tokenizer.equals("bpe") || tokenizer.equals("gpt2"))) {
      throw new IllegalArgumentException("tokenizer must be char, bpe or gpt2, got " + tokenizer);
    }
    if (batchSize < 1) throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
    if (accumulation < 1) throw new IllegalArgumentException("accumulation must be >= 1, got " + accumulation);
    if (iters < 0) throw new IllegalArgumentException("iters must be >= 0, got " + iters);
    if (!(lr > 0)) throw new IllegalArgumentException("lr must be > 0, got " + lr);
    if (minLr < 0 || minLr > lr) throw new IllegalArgumentException("minLr must be in [0, lr], got " + minLr);
    if (warmup < 0) throw new IllegalArgumentException("warmup must be >= 0, got " + warmup);
    if (lrDecayIters < warmup) {
      throw new IllegalArgumentException("lrDecayIters (" + lrDecayIters + ") must be >= warmup (" + warmup + ")");
    }
    if (evalEvery < 0) throw new IllegalArgumentException("evalEvery must be >= 0, got " + evalEvery);
    if (evalBatches < 1) throw new IllegalArgumentException("evalBatches must be >= 1, got " + evalBatches);
    if (logEvery < 1) throw new IllegalArgumentException("logEvery must be >= 1, got " + logEvery);
  }

  /**
   * nanoGPT's Tiny Shakespeare CPU run: char tokenizer, 4 layers, 4 heads, width 128, block 64,
   * batch 12, 2000 iterations, lr 1e-3 with 100 warmup steps and cosine decay to 1e-4, beta2 0.99,
   * weight decay 0.1, clipping 1.0, no dropout; evaluation every 250 steps on 20 batches.
   */
  public static LlmTrainOptions reference() {
    return new LlmTrainOptions("char", 512, 4, 4, 128, 64, 12, 1, 2000, 1e-3, 1e-4, 100, 2000, 0.9, 0.99, 0.1, 1.0,
        0.0, true, PositionalEncoding.LEARNED, true, 250, 20, 10, 1337, false, true);
  }

  public LlmTrainOptions withTokenizer(String kind, int bpeVocab) {
    return new LlmTrainOptions(kind, bpeVocab, nLayer, nHead, nEmbd, blockSize, batchSize, accumulation, iters, lr, minLr,
        warmup, lrDecayIters, beta1, beta2, weightDecay, clipNorm, dropout, bias, positional, tieWeights, evalEvery,
        evalBatches, logEvery, seed, resume, progressBar);
  }

  public LlmTrainOptions withModel(int layers, int heads, int embd, int block) {
    return new LlmTrainOptions(tokenizer, bpeVocabSize, layers, heads, embd, block, batchSize, accumulation, iters, lr,
        minLr, warmup, lrDecayIters, beta1, beta2, weightDecay, clipNorm, dropout, bias, positional, tieWeights,
        evalEvery, evalBatches, logEvery, seed, resume, progressBar);
  }

  /** Sets the step count; the cosine decay is stretched to end at the last step. */
  public LlmTrainOptions withIters(int n) {
    return new LlmTrainOptions(tokenizer, bpeVocabSize, nLayer, nHead, nEmbd, blockSize, batchSize, accumulation, n, lr,
        minLr, Math.min(warmup, n), n, beta1, beta2, weightDecay, clipNorm, dropout, bias, positional, tieWeights,
        evalEvery, evalBatches, logEvery, seed, resume, progressBar);
  }

  /** Sets the step count and, separately, the step where the cosine decay ends. */
  public LlmTrainOptions withIters(int n, int decayIters) {
    return new LlmTrainOptions(tokenizer, bpeVocabSize, nLayer, nHead, nEmbd, blockSize, batchSize, accumulation, n, lr,
        minLr, warmup, decayIters, beta1, beta2, weightDecay, clipNorm, dropout, bias, positional, tieWeights,
        evalEvery, evalBatches, logEvery, seed, resume, progressBar);
  }

  public LlmTrainOptions withBatch(int batch, int accum) {
    return new LlmTrainOptions(tokenizer, bpeVocabSize, nLayer, nHead, nEmbd, blockSize, batch, accum, iters, lr, minLr,
        warmup, lrDecayIters, beta1, beta2, weightDecay, clipNorm, dropout, bias, positional, tieWeights, evalEvery,
        evalBatches, logEvery, seed, resume, progressBar);
  }

  public LlmTrainOptions withLr(double max, double min, int warmupSteps) {
    return new LlmTrainOptions(tokenizer, bpeVocabSize, nLayer, nHead, nEmbd, blockSize, batchSize, accumulation, iters,
        max, min, warmupSteps, lrDecayIters, beta1, beta2, weightDecay, clipNorm, dropout, bias, positional, tieWeights,
        evalEvery, evalBatches, logEvery, seed, resume, progressBar);
  }

  public LlmTrainOptions withEval(int every, int batches) {
    return new LlmTrainOptions(tokenizer, bpeVocabSize, nLayer, nHead, nEmbd, blockSize, batchSize, accumulation, iters,
        lr, minLr, warmup, lrDecayIters, beta1, beta2, weightDecay, clipNorm, dropout, bias, positional, tieWeights, every,
        batches, logEvery, seed, resume, progressBar);
  }

  public LlmTrainOptions withDropout(double p) {
    return new LlmTrainOptions(tokenizer, bpeVocabSize, nLayer, nHead, nEmbd, blockSize, batchSize, accumulation, iters,
        lr, minLr, warmup, lrDecayIters, beta1, beta2, weightDecay, clipNorm, p, bias, positional, tieWeights, evalEvery,
        evalBatches, logEvery, seed, resume, progressBar);
  }

  public LlmTrainOptions withSeed(long s) {
    return new LlmTrainOptions(tokenizer, bpeVocabSize, nLayer, nHead, nEmbd, blockSize, batchSize, accumulation, iters,
        lr, minLr, warmup, lrDecayIters, beta1, beta2, weightDecay, clipNorm, dropout, bias, positional, tieWeights,
        evalEvery, evalBatches, logEvery, s, resume, progressBar);
  }

  public LlmTrainOptions withResume(boolean r) {
    return new LlmTrainOptions(tokenizer, bpeVocabSize, nLayer, nHead, nEmbd, blockSize, batchSize, accumulation, iters,
        lr, minLr, warmup, lrDecayIters, beta1, beta2, weightDecay, clipNorm, dropout, bias, positional, tieWeights,
        evalEvery, evalBatches, logEvery, seed, r, progressBar);
  }

  public LlmTrainOptions withProgressBar(boolean on) {
    return new LlmTrainOptions(tokenizer, bpeVocabSize, nLayer, nHead, nEmbd, blockSize, batchSize, accumulation, iters,
        lr, minLr, warmup, lrDecayIters, beta1, beta2, weightDecay, clipNorm, dropout, bias, positional, tieWeights,
        evalEvery, evalBatches, logEvery, seed, resume, on);
  }

  public LlmTrainOptions withWeightDecay(double wd) {
    return new LlmTrainOptions(tokenizer, bpeVocabSize, nLayer, nHead, nEmbd, blockSize, batchSize, accumulation, iters,
        lr, minLr, warmup, lrDecayIters, beta1, beta2, wd, clipNorm, dropout, bias, positional, tieWeights,
        evalEvery, evalBatches, logEvery, seed, resume, progressBar);
  }

  public LlmTrainOptions withBetas(double b1, double b2) {
    return new LlmTrainOptions(tokenizer, bpeVocabSize, nLayer, nHead, nEmbd, blockSize, batchSize, accumulation, iters,
        lr, minLr, warmup, lrDecayIters, b1, b2, weightDecay, clipNorm, dropout, bias, positional, tieWeights,
        evalEvery, evalBatches, logEvery, seed, resume, progressBar);
  }

  public LlmTrainOptions withArchitecture(boolean withBias, PositionalEncoding pe, boolean tie) {
    return new LlmTrainOptions(tokenizer, bpeVocabSize, nLayer, nHead, nEmbd, blockSize, batchSize, accumulation, iters,
        lr, minLr, warmup, lrDecayIters, beta1, beta2, weightDecay, clipNorm, dropout, withBias, pe, tie,
        evalEvery, evalBatches, logEvery, seed, resume, progressBar);
  }

  public LlmTrainOptions withLogEvery(int n) {
    return new LlmTrainOptions(tokenizer, bpeVocabSize, nLayer, nHead, nEmbd, blockSize, batchSize, accumulation, iters,
        lr, minLr, warmup, lrDecayIters, beta1, beta2, weightDecay, clipNorm, dropout, bias, positional, tieWeights,
        evalEvery, evalBatches, n, seed, resume, progressBar);
  }
}
