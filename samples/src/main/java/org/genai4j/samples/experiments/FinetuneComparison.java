package org.genai4j.samples.experiments;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.genai4j.common.ops.Params;
import org.genai4j.common.train.Checkpoint;
import org.genai4j.common.train.RunDir;
import org.genai4j.common.train.TrainingResult;
import org.genai4j.llm.GptTrainOptions;
import org.genai4j.llm.GptTraining;
import org.genai4j.llm.LlmModel;
import org.genai4j.llm.finetune.BaseReference;
import org.genai4j.llm.finetune.ClassificationTraining;
import org.genai4j.llm.finetune.ClassifierOptions;
import org.genai4j.llm.finetune.LabeledTexts;
import org.genai4j.llm.finetune.LoraConfig;
import org.genai4j.llm.model.Gpt;
import org.genai4j.llm.model.GptConfig;
import org.genai4j.samples.report.Report;

/**
 * Issue 14's comparison of ways to get a text classifier, side by side on one split: a GPT that
 * genai4j pretrains on the task's own texts (as a language model) and then fine-tunes whole; the
 * same GPT fine-tuned from random initialization; the pretrained GPT with LoRA adapters (the base
 * frozen); and a bag-of-words logistic regression. Each row has its accuracy per split, its
 * trainable parameters and its training time.
 */
public final class FinetuneComparison {
  private FinetuneComparison() {}

  /**
   * What to run.
   *
   * @param gpt the GPT's shape (the vocabulary is the char tokenizer's of the pretraining texts)
   * @param pretrain the pretraining (its iterations, batch, learning rate; the run folder is set here)
   * @param finetune the full fine-tuning of both GPT rows (its run folder is set here)
   * @param lora the LoRA row's fine-tuning, with its adapters
   * @param bagOfWords the baseline's fitting
   */
  public record Setup(GptConfig gpt, GptTrainOptions pretrain, ClassifierOptions finetune, ClassifierOptions lora,
      BagOfWordsClassifier.Options bagOfWords) {
    public Setup {
      if (lora.lora() == null) {
        throw new IllegalArgumentException("the LoRA row needs LoRA settings (--lora-rank >= 1)");
      }
    }

    /**
     * SpamClassifierExperiment's settings: a char GPT 4x128 with a 128-token context pretrained for
     * {@code pretrainIters} steps (batch 16, lr 1e-3 to 1e-4), fully fine-tuned for {@code
     * finetuneIters} steps (batch 16, lr 1e-4), LoRA {@code lora} for as many steps at lr 1e-3.
     */
    public static Setup defaults(int pretrainIters, int finetuneIters, LoraConfig lora, long seed, int threads) {
      ClassifierOptions full = ClassifierOptions.defaults(null).withTrainLayers(-1).withIters(finetuneIters)
          .withOptimizer(16, 1e-4, 0.1).withRun(seed, threads, true, 100, 128);
      return new Setup(GptConfig.reference().withShape(4, 4, 128, 128),
          GptTrainOptions.reference().withIters(pretrainIters).withBatch(16, 1)
              .withLr(1e-3, 1e-4, Math.min(100, pretrainIters))
              .withEval(Math.max(1, pretrainIters / 4), 10).withSeed(seed).withThreads(threads),
          full, full.withOptimizer(16, 1e-3, 0.1).withLora(lora), BagOfWordsClassifier.Options.defaults());
    }
  }

  /**
   * One way to a classifier and what it reached.
   *
   * @param name the row's name
   * @param accuracy accuracy per split ({@code train}, {@code val}, {@code test})
   * @param trainable the parameters that trained
   * @param total all of the classifier's parameters
   * @param seconds the training time (the fine-tuning's; the pretraining is {@link Result#pretrainSeconds})
   * @param pretrained whether the row builds on the shared pretraining
   */
  public record Row(String name, Map<String, Double> accuracy, long trainable, long total, double seconds,
      boolean pretrained) {}

  /** The rows, and the pretraining they share (0 s when an earlier run's base was reused). */
  public record Result(List<Row> rows, double pretrainSeconds, String pretrainNote) {}

  /** The folders of a comparison in {@code out}. */
  static final String PRETRAIN = "pretrain";
  static final List<String> RUNS = List.of("full", "random", "lora");

  /**
   * Runs the comparison on {@code split} of {@code all} into {@code out}: the pretraining into {@code
   * out/pretrain} (reused when that holds a finished run), the classifiers into {@code out/full},
   * {@code out/random} and {@code out/lora}, which must not exist yet.
   */
  public static Result run(LabeledTexts all, LabeledTexts.Splits split, Setup setup, Path out) {
    for (String r : RUNS) {
      if (Files.exists(out.resolve(r))) {
        throw new IllegalArgumentException(out.resolve(r) + " holds a run of an earlier comparison; choose another"
            + " --out (copy " + out.resolve(PRETRAIN) + " there to reuse its pretrained GPT)");
      }
    }
    Path pretrained = out.resolve(PRETRAIN);
    long t0 = System.nanoTime();
    LlmModel base;
    String note;
    boolean started = Checkpoint.exists(pretrained.resolve(RunDir.LAST));
    if (started && Checkpoint.readStep(pretrained.resolve(RunDir.LAST)) >= setup.pretrain().iters()) {
      base = LlmModel.load(pretrained);
      note = "reused " + pretrained + " (step " + base.step() + ")";
    } else {
      // An interrupted pretraining continues where it stopped.
      TrainingResult<LlmModel> r = GptTraining.train(pretrainingText(all, split), validationText(split), setup.gpt(),
          setup.pretrain().withOut(pretrained).withResume(started));
      base = LlmModel.load(pretrained);
      note = String.format(Locale.ROOT, "%d steps, val_loss %.4f", r.model().step(),
          r.last() == null ? Double.NaN : r.last().evaluation().getOrDefault("val_loss", Double.NaN));
    }
    double pretrainSeconds = (System.nanoTime() - t0) / 1e9;
    List<Row> rows = new ArrayList<>();
    rows.add(gptRow("GPT, pretrained, fully fine-tuned", true, ClassificationTraining.train(base, null, split,
        setup.finetune().withOutDir(out.resolve("full")))));
    // The same model and tokenizer from random weights: what the pretraining is worth.
    LlmModel random = new LlmModel(new Gpt(base.config(), Params.init(setup.finetune().seed())), base.tokenizer(), 0);
    rows.add(gptRow("GPT, random init, fully fine-tuned", false, ClassificationTraining.train(random, null, split,
        setup.finetune().withOutDir(out.resolve("random")))));
    LoraConfig l = setup.lora().lora();
    String loraName = String.format(Locale.ROOT, "GPT, pretrained, LoRA r%d alpha %s on %s", l.rank(), trim(l.alpha()),
        l.targetsText());
    rows.add(gptRow(loraName, true, ClassificationTraining.train(base, BaseReference.of(pretrained), split,
        setup.lora().withOutDir(out.resolve("lora")))));
    long b0 = System.nanoTime();
    BagOfWordsClassifier bow = BagOfWordsClassifier.train(split.train(), setup.bagOfWords());
    double bowSeconds = (System.nanoTime() - b0) / 1e9;
    Map<String, Double> acc = new LinkedHashMap<>();
    acc.put("train", bow.accuracy(split.train()));
    acc.put("val", bow.accuracy(split.validation()));
    acc.put("test", bow.accuracy(split.test()));
    rows.add(new Row("bag of words, logistic regression", acc, bow.parameterCount(), bow.parameterCount(),
        bowSeconds, false));
    return new Result(rows, pretrainSeconds, note);
  }

  private static Row gptRow(String name, boolean pretrained, ClassificationTraining.Result r) {
    return new Row(name, r.accuracy(), r.trainableParameters(), r.totalParameters(), r.seconds(), pretrained);
  }

  /** The texts a GPT pretrains on: every text outside the validation and test splits, one a line. */
  static String pretrainingText(LabeledTexts all, LabeledTexts.Splits split) {
    Set<String> heldOut = new HashSet<>(split.validation().texts());
    heldOut.addAll(split.test().texts());
    StringBuilder corpus = new StringBuilder();
    for (String t : all.texts()) {
      if (!heldOut.contains(t)) {
        corpus.append(t).append('\n');
      }
    }
    return corpus.toString();
  }

  /** The validation texts, one a line: the pretraining's validation loss. */
  static String validationText(LabeledTexts.Splits split) {
    return String.join("\n", split.validation().texts()) + "\n";
  }

  private static String trim(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
  }

  /** Adds the comparison's table to {@code report}. */
  public static void addTo(Report report, Result result) {
    List<List<String>> rows = new ArrayList<>();
    for (Row r : result.rows()) {
      rows.add(List.of(r.name(), String.format(Locale.ROOT, "%,d", r.trainable()),
          String.format(Locale.ROOT, "%.1f %%", 100.0 * r.trainable() / r.total()),
          pct(r.accuracy().get("train")), pct(r.accuracy().get("val")), pct(r.accuracy().get("test")),
          String.format(Locale.ROOT, "%.1f", r.seconds()),
          String.format(Locale.ROOT, "%.1f", r.seconds() + (r.pretrained() ? result.pretrainSeconds() : 0))));
    }
    report.section("Results", String.format(Locale.ROOT, "Accuracy on the balanced split; training time is the"
        + " fine-tuning's (or the regression's fit). The pretrained rows share one pretraining: %s, %.0f s.",
        result.pretrainNote(), result.pretrainSeconds()));
    report.table("classifiers", List.of("model", "trainable parameters", "share trainable", "train accuracy",
        "val accuracy", "test accuracy", "training time (s)", "with pretraining (s)"), rows);
  }

  private static String pct(Double v) {
    return v == null ? "n/a" : String.format(Locale.ROOT, "%.2f %%", 100 * v);
  }
}
