package org.genai4j.llm;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.genai4j.common.ops.Params;
import org.genai4j.common.train.Checkpoint;
import org.genai4j.common.train.LrSchedule;
import org.genai4j.common.train.MetricsLogListener;
import org.genai4j.common.train.OptimizerConfig;
import org.genai4j.common.train.ProgressBarListener;
import org.genai4j.common.train.RunDir;
import org.genai4j.common.train.StepRecord;
import org.genai4j.common.train.Trainer;
import org.genai4j.common.train.TrainerConfig;
import org.genai4j.common.train.TrainingListener;
import org.genai4j.common.train.TrainingResult;
import org.genai4j.common.util.ModelMemory;
import org.genai4j.llm.model.Gpt;
import org.genai4j.llm.model.GptConfig;
import org.genai4j.llm.model.GptTrainable;
import org.genai4j.llm.tokenizer.Tokenizer;
import org.genai4j.llm.tokenizer.Tokenizers;
import org.genai4j.llm.train.TokenBatches;

/**
 * Trains a GPT on a text through common's {@link Trainer}: AdamW with warmup and cosine decay,
 * gradient clipping and accumulation, batches split over threads, validation every {@code
 * evalEvery} steps, checkpoints, a progress bar and {@code metrics.jsonl}. The run folder is
 * {@link RunDir}'s plus {@code tokenizer.json}; {@link LlmModel#load} reads the model back.
 */
public final class GptTraining {
  private GptTraining() {}

  /** Seed of the validation windows: every evaluation of a run sees the same batches. */
  public static final long EVAL_SEED = 4242;

  /** Trains with the listeners the options ask for. */
  public static TrainingResult<LlmModel> train(String trainText, String validationText, GptConfig config,
      GptTrainOptions options) {
    return train(trainText, validationText, config, options, List.of());
  }

  /**
   * Trains a GPT of shape {@code config} on {@code trainText}, evaluating on {@code
   * validationText} (null: no evaluation, no best checkpoint). The vocabulary is the tokenizer's:
   * {@code config.vocabSize()} is replaced by it. With {@code options.resume()} the run in {@code
   * options.outDir()} continues from its last checkpoint, with its saved tokenizer, and equals an
   * uninterrupted run; otherwise that folder must not hold a run yet.
   *
   * @param extraListeners further listeners (e.g. a time budget, a test collecting records)
   * @return the model as it is after the last step, and this call's steps and throughput (tokens/s)
   */
  public static TrainingResult<LlmModel> train(String trainText, String validationText, GptConfig config,
      GptTrainOptions options, List<TrainingListener> extraListeners) {
    Path out = options.outDir();
    boolean resuming = options.resume();
    if (resuming && !Checkpoint.exists(out.resolve(RunDir.LAST))) {
      throw new IllegalArgumentException("cannot resume: " + out.toAbsolutePath() + " holds no checkpoint ("
          + RunDir.LAST + "); start a new run without --resume");
    }
    if (!resuming && out != null) {
      RunDir.checkNew(out);
    }
    Tokenizer tokenizer = resuming
        ? Tokenizers.load(out)
        // The char vocabulary covers the validation text too, as nanoGPT's prepare.py does.
        : Tokenizers.create(options.tokenizer(),
            options.tokenizer().equals("char") && validationText != null ? trainText + validationText : trainText,
            options.bpeVocabSize());
    GptConfig model = config.withVocabSize(tokenizer.vocabSize());
    ModelMemory.checkTraining("the GPT (" + model.nLayer() + " layers of width " + model.nEmbd() + ")",
        model.parameterCount());
    if (resuming) {
      GptConfig saved = GptConfig.fromJson(RunDir.read(out, RunDir.CONFIG));
      if (!saved.equals(model)) {
        throw new IllegalArgumentException("cannot resume " + out + ": its model configuration " + saved
            + " differs from the requested " + model);
      }
    }
    int[] train = tokenizer.encode(trainText);
    int[] validation = validationText == null ? null : tokenizer.encode(validationText);
    if (validation != null && validation.length < model.blockSize() + 1) {
      throw new IllegalArgumentException("the validation text has " + validation.length + " tokens; at least "
          + (model.blockSize() + 1) + " are needed for one window of block size " + model.blockSize());
    }
    TokenBatches batches = new TokenBatches(train, options.batchSize(), model.blockSize());

    Params params = Params.init(options.seed());
    Gpt gpt = new Gpt(model, params);
    if (out != null) {
      if (!resuming) {
        tokenizer.save(out);
        RunDir.write(out, RunDir.CONFIG, model.toJson());
      }
      RunDir.write(out, RunDir.TRAIN, optionsJson(options));
    }

    OptimizerConfig optimizer = OptimizerConfig.adamW(
        LrSchedule.warmupCosine(options.lr(), options.minLr(), options.warmup(), options.lrDecayIters()),
        options.beta1(), options.beta2(), options.weightDecay());
    TrainerConfig tc = TrainerConfig.of(options.iters(), options.seed())
        .withAccumulation(options.accumulation())
        .withClipNorm(options.clipNorm())
        .withLogEvery(options.logEvery())
        .withEvalEvery(options.evalEvery())
        .withThreads(options.threads());
    if (out != null) {
      tc = tc.withCheckpoints(out, options.evalEvery(), validation == null ? null : "val_loss");
    }
    Trainer trainer = new Trainer(new GptTrainable(gpt), optimizer, tc);
    if (resuming) {
      trainer.resume(out.resolve(RunDir.LAST));
    }
    if (validation != null) {
      // A copy of the model that shares the weights and has buffers of its own (an evaluation batch
      // has another shape than a shard's), in an inference context.
      LlmModel evaluated = new LlmModel(new Gpt(model, params.replica()), tokenizer, 0);
      double[] best = {trainer.checkpoint().values().getOrDefault("best", Double.POSITIVE_INFINITY)};
      trainer.setEvaluator(() -> {
        double loss = LlmEvaluation.evaluate(evaluated, validation, options.evalBatches(), options.batchSize(),
            EVAL_SEED).loss();
        best[0] = Math.min(best[0], loss);
        return Map.of("val_loss", loss, "best_val_loss", best[0]);
      });
    }
    if (options.progressBar()) {
      trainer.addListener(new ProgressBarListener("gpt", "tok"));
    }
    if (out != null) {
      trainer.addListener(new MetricsLogListener(out.resolve(RunDir.METRICS)));
    }
    extraListeners.forEach(trainer::addListener);

    long startStep = trainer.step();
    long start = System.nanoTime();
    StepRecord last = trainer.fit(batches);
    double seconds = (System.nanoTime() - start) / 1e9;
    long steps = trainer.step() - startStep;
    long tokens = steps * options.batchSize() * options.accumulation() * (long) model.blockSize();
    return new TrainingResult<>(new LlmModel(gpt, tokenizer, trainer.step()), steps, seconds,
        tokens / Math.max(1e-9, seconds), last);
  }

  private static String optionsJson(GptTrainOptions options) {
    try {
      ObjectMapper json = new ObjectMapper();
      ObjectNode node = json.valueToTree(options);
      // The folder as the user gave it, not as a file: URI.
      node.put("outDir", options.outDir() == null ? null : options.outDir().toString());
      return json.writerWithDefaultPrettyPrinter().writeValueAsString(node);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the training options: " + e.getMessage(), e);
    }
  }
}
