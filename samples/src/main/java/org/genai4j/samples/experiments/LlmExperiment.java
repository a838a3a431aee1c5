package org.genai4j.samples.experiments;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.genai4j.common.eval.LossPlot;
import org.genai4j.common.train.RunDir;
import org.genai4j.common.train.TimeBudget;
import org.genai4j.common.train.TrainingResult;
import org.genai4j.datasets.TextCorpus;
import org.genai4j.llm.GptTrainOptions;
import org.genai4j.llm.GptTraining;
import org.genai4j.llm.LlmEvaluation;
import org.genai4j.llm.LlmModel;
import org.genai4j.llm.TextGeneration;
import org.genai4j.llm.generate.GenerationOptions;
import org.genai4j.llm.model.GptConfig;

/** Trains one GPT configuration for a wall-clock budget and measures it the same way as the others. */
public final class LlmExperiment {
  private LlmExperiment() {}

  /** A model and how to train it. */
  public record Setup(GptConfig config, GptTrainOptions options) {}

  /** What one configuration reached. Bits per character compare tokenizers fairly. */
  public record Result(String name, long parameters, long steps, double tokensPerSecond, double valLoss,
      double bitsPerChar, String sample, Path lossPlot) {}

  /**
   * Trains {@code setup} on {@code corpus} into the new run folder {@code dir} until {@code budget}
   * runs out (constant learning rate after warmup, since the step count is not known in advance),
   * then evaluates the last weights on {@code evalBatches} validation batches and generates a short
   * sample.
   */
  public static Result run(String name, TextCorpus corpus, Setup setup, Duration budget, int evalBatches, Path dir) {
    if (RunDir.holdsRun(dir)) {
      throw new IllegalArgumentException(dir + " holds the run of an earlier experiment; choose another --out");
    }
    GptTrainOptions opts = setup.options();
    GptTrainOptions budgeted = opts.withIters(1_000_000).withLr(opts.lr(), opts.lr(), opts.warmup())
        .withEval(0, Math.max(1, Math.min(opts.evalBatches(), evalBatches))).withProgressBar(false).withOut(dir);
    TrainingResult<LlmModel> r = GptTraining.train(corpus.train(), corpus.validation(), setup.config(), budgeted,
        List.of(new TimeBudget(budget).showingProgress(name, "tok")));
    LlmModel model = r.model();
    LlmEvaluation.Result eval = LlmEvaluation.evaluate(model, corpus.validation(), evalBatches, GptTraining.EVAL_SEED);
    String prompt = corpus.validation().substring(0, Math.min(16, corpus.validation().length()));
    String sample = prompt + TextGeneration.generate(model, prompt,
        GenerationOptions.defaults().withMaxTokens(200).withTemperature(0.8).withTopK(40).withSeed(opts.seed()));
    Path plot = dir.resolve("loss.png");
    LossPlot.write(dir.resolve(RunDir.METRICS), List.of("loss", "eval/val_loss"), plot, 640, 400, name);
    return new Result(name, model.parameterCount(), r.steps(), r.unitsPerSecond(), eval.loss(), eval.bitsPerChar(),
        sample, plot);
  }
}
