package org.genai4j.samples.experiments;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.genai4j.common.train.TrainingResult;
import org.genai4j.llm.GptTrainOptions;
import org.genai4j.llm.GptTraining;
import org.genai4j.llm.LlmModel;
import org.genai4j.llm.finetune.ClassificationTraining;
import org.genai4j.llm.finetune.ClassifierOptions;
import org.genai4j.llm.finetune.LabeledTexts;
import org.genai4j.llm.model.GptConfig;

/**
 * Pretraining then fine-tuning, the lesson of LLMs-from-scratch chapter 6 without GPT-2's weights:
 * a small char GPT is pretrained as a language model on the SMS messages outside the validation
 * and test splits, then fine-tuned into a spam classifier on the balanced training split.
 * Arguments: {@code SMSSpamCollection OUT [pretrainIters] [finetuneIters]} (pretrainIters 0: the
 * same model from random initialization, the baseline); prints each phase's time and the accuracies.
 * {@code genai4j compare finetune} ({@link FinetuneComparison}) runs these and LoRA and a
 * bag-of-words baseline side by side into a report.
 */
public final class SpamClassifierExperiment {
  private SpamClassifierExperiment() {}

  public static void main(String[] args) {
    Path file = Path.of(args[0]);
    Path out = Path.of(args[1]);
    int pretrainIters = args.length > 2 ? Integer.parseInt(args[2]) : 1500;
    int finetuneIters = args.length > 3 ? Integer.parseInt(args[3]) : 600;
    LabeledTexts all = LabeledTexts.readTsv(file, List.of("ham", "spam"));
    LabeledTexts.Splits split = all.balancedSplit(123);
    String corpus = FinetuneComparison.pretrainingText(all, split);
    String validation = FinetuneComparison.validationText(split);
    GptConfig config = GptConfig.reference().withShape(4, 4, 128, 128);
    long t0 = System.nanoTime();
    Path pretrained = out.resolve("pretrain");
    LlmModel base;
    String baseNote;
    if (pretrainIters == 0) {
      // The baseline of the lesson: the same model from random initialization.
      var tok = org.genai4j.llm.tokenizer.CharTokenizer.fromCorpus(corpus + validation);
      base = new LlmModel(new org.genai4j.llm.model.Gpt(config.withVocabSize(tok.vocabSize()),
          org.genai4j.common.ops.Params.init(1)), tok, 0);
      baseNote = "none: random initialization";
    } else if (org.genai4j.common.train.RunDir.holdsRun(pretrained)) {
      base = LlmModel.load(pretrained); // an earlier run's base: fine-tune it again
      baseNote = "reused " + pretrained + " (step " + base.step() + ")";
    } else {
      TrainingResult<LlmModel> r = GptTraining.train(corpus, validation, config,
          GptTrainOptions.reference(pretrained).withIters(pretrainIters).withBatch(16, 1)
              .withLr(1e-3, 1e-4, 100).withEval(Math.max(1, pretrainIters / 4), 10));
      base = r.model();
      baseNote = String.format(Locale.ROOT, "%d steps, val_loss %.4f", pretrainIters,
          r.last() == null ? Double.NaN : r.last().evaluation().getOrDefault("val_loss", Double.NaN));
    }
    double pretrainSeconds = (System.nanoTime() - t0) / 1e9;
    ClassificationTraining.Result r = ClassificationTraining.train(base, split,
        ClassifierOptions.defaults(out.resolve("classifier-" + finetuneIters)).withTrainLayers(-1).withIters(finetuneIters)
            .withOptimizer(16, 1e-4, 0.1).withRun(123, 0, true, 100, 128));
    System.out.printf(Locale.ROOT, "pretrain: %s, %.0f s%n", baseNote, pretrainSeconds);
    System.out.printf(Locale.ROOT, "finetune: %d steps, %.0f s, %,d of %,d parameters trainable%n", finetuneIters,
        r.seconds(), r.trainableParameters(), r.totalParameters());
    System.out.println("accuracy: " + r.accuracy() + "; test confusion [true][predicted] (ham, spam): "
        + java.util.Arrays.deepToString(r.confusion()));
    System.out.printf(Locale.ROOT, "total_seconds=%.0f test_accuracy=%.4f%n", pretrainSeconds + r.seconds(),
        r.accuracy().get("test"));
  }
}
