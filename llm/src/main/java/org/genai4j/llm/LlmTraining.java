package org.genai4j.llm;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.genai4j.common.train.LrSchedule;
import org.genai4j.common.train.MetricsLogListener;
import org.genai4j.common.train.OptimizerConfig;
import org.genai4j.common.train.ProgressBarListener;
import org.genai4j.common.train.StepRecord;
import org.genai4j.common.train.Trainer;
import org.genai4j.common.train.TrainerConfig;
import org.genai4j.common.train.TrainingListener;
import org.genai4j.llm.model.GptConfig;
import org.genai4j.llm.model.GptModel;
import org.genai4j.llm.tokenizer.Tokenizer;
import org.genai4j.llm.tokenizer.Tokenizers;
import org.genai4j.llm.train.TokenBatches;

/**
 * Trains a GPT on a text through common's {@link Trainer}: AdamW with warmup and cosine decay,
 * gradient clipping and accumulation, validation every {@code evalEvery} steps, {@code best.ckpt}
 * and {@code last.ckpt}, a progress bar and {@code metrics.jsonl}. Everything goes into the run
 * directory ({@link LlmModelDir}), from which {@link LlmModelDir#load} reads the model back.
 */
public final class LlmTraining {
  private LlmTraining() {}

  /** Seed of the validation windows: every evaluation of a run sees the same batches. */
  public static final long EVAL_SEED = 4242;

  /**
   * What a training run did.
   *
   * @param steps optimizer steps completed
   * @param trainLoss training loss averaged over the last logged steps
   * @param valLoss the last validation loss (NaN if never evaluated)
   * @param bestValLoss the best validation loss (the weights of {@code best.ckpt})
   * @param seconds wall time of this call's training loop
   * @param tokensPerSecond training tokens per second over this call
   * @param parameters trainable parameters
   */
  public record Summary(long steps, double trainLoss, double valLoss, double bestValLoss, double seconds,
      double tokensPerSecond, long parameters) {}

  /** Trains (or resumes) with the listeners from the options. */
  public static Summary train(String trainText, String valText, LlmTrainOptions opts, Path outDir) {
    return train(trainText, valText, opts, outDir, List.of());
  }

  /**
   * Trains a GPT on {@code trainText}, evaluating on {@code valText}, writing the run to {@code
   * outDir}. With {@code opts.resume()} and a {@code last.ckpt} in {@code outDir}, continues that
   * run (its saved tokenizer and configuration are used).
   *
   * @param extraListeners further listeners (e.g. a test collecting records)
   */
  public static Summary train(String trainText, String valText, LlmTrainOptions opts, Path outDir,
      List<TrainingListener> extraListeners) {
    boolean resuming = opts.resume() && org.genai4j.common.train.Checkpoint.exists(outDir.resolve(Trainer.LAST));
    Tokenizer tokenizer = resuming
        ? Tokenizers.load(outDir)
        // The char vocabulary covers the validation text too, as nanoGPT's prepare.py does.
        : Tokenizers.create(opts.tokenizer(), opts.tokenizer().equals("char") ? trainText + valText : trainText,
            opts.bpeVocabSize());
    GptConfig config = new GptConfig(tokenizer.vocabSize(), opts.nLayer(), opts.nHead(), opts.nEmbd(), opts.blockSize(),
        opts.dropout(), opts.bias(), opts.positional(), opts.tieWeights());
    if (resuming && !LlmModelDir.readConfig(outDir).equals(config)) {
      throw new IllegalArgumentException("cannot resume " + outDir + ": its model configuration "
          + LlmModelDir.readConfig(outDir) + " differs from the requested " + config);
    }
    int[] train = tokenizer.encode(trainText);
    int[] val = tokenizer.encode(valText);
    if (val.length < opts.blockSize() + 1) {
      throw new IllegalArgumentException("the validation text has " + val.length + " tokens; at least "
          + (opts.blockSize() + 1) + " are needed for one window of block size " + opts.blockSize());
    }

    GptModel model = new GptModel(config, opts.batchSize(), opts.blockSize(), true, opts.seed());
    GptModel evalGraph = new GptModel(config, opts.batchSize(), opts.blockSize(), false, opts.seed());
    LlmModel view = LlmModel.of(evalGraph, tokenizer, 0);
    if (!resuming) {
      tokenizer.save(outDir);
      LlmModelDir.writeConfig(outDir, config);
    }
    writeOptions(outDir, opts);

    OptimizerConfig optimizer = OptimizerConfig.adamW(
        LrSchedule.warmupCosine(opts.lr(), opts.minLr(), opts.warmup(), opts.lrDecayIters()),
        opts.beta1(), opts.beta2(), opts.weightDecay());
    TrainerConfig tc = TrainerConfig.of(opts.iters(), opts.seed())
        .withAccumulation(opts.accumulation())
        .withClipNorm(opts.clipNorm())
        .withLogEvery(opts.logEvery())
        .withEvalEvery(opts.evalEvery())
        .withCheckpoints(outDir, opts.evalEvery(), "val_loss");
    Trainer trainer = new Trainer(model, optimizer, tc);
    trainer.setEvaluator(() -> {
      evalGraph.copyWeightsFrom(model);
      return Map.of("val_loss", LlmEvaluation.evaluate(evalGraph, view, val, opts.evalBatches(), EVAL_SEED).loss());
    });
    if (opts.progressBar()) {
      trainer.addListener(new ProgressBarListener("gpt", "tok"));
    }
    trainer.addListener(new MetricsLogListener(outDir.resolve(LlmModelDir.METRICS)));
    extraListeners.forEach(trainer::addListener);
    if (resuming) {
      trainer.resume(outDir.resolve(Trainer.LAST));
    }
    long startStep = trainer.step();
    long start = System.nanoTime();
    StepRecord last = trainer.fit(new TokenBatches(train, opts.batchSize(), opts.blockSize()));
    double seconds = (System.nanoTime() - start) / 1e9;
    long tokens = (trainer.step() - startStep) * opts.batchSize() * opts.accumulation() * (long) opts.blockSize();
    double valLoss = last == null ? Double.NaN : last.evaluation().getOrDefault("val_loss", Double.NaN);
    Double best = trainer.checkpoint().values().get("best");
    return new Summary(trainer.step(), last == null ? Double.NaN : last.loss(), valLoss,
        best == null ? Double.NaN : best, seconds, tokens / Math.max(1e-9, seconds), model.parameterCount());
  }

  private static void writeOptions(Path dir, LlmTrainOptions opts) {
    try {
      Files.createDirectories(dir);
      new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(dir.resolve(LlmModelDir.OPTIONS).toFile(), opts);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + dir.resolve(LlmModelDir.OPTIONS) + ": " + e.getMessage(), e);
    }
  }
}
