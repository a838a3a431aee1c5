package org.genai4j.samples.experiments;

import java.nio.file.Path;
import java.util.Locale;
import org.genai4j.common.train.RunDir;
import org.genai4j.common.train.TrainingResult;
import org.genai4j.llm.GptTrainOptions;
import org.genai4j.llm.GptTraining;
import org.genai4j.llm.LlmModel;
import org.genai4j.llm.finetune.AlpacaPrompt;
import org.genai4j.llm.finetune.InstructOptions;
import org.genai4j.llm.finetune.InstructionData;
import org.genai4j.llm.finetune.InstructionRecord;
import org.genai4j.llm.finetune.InstructionTraining;
import org.genai4j.llm.model.GptConfig;

/**
 * Pretraining then instruction fine-tuning (LLMs-from-scratch chapter 7) without GPT-2's weights:
 * a small char GPT is pretrained as a plain language model on the training split's Alpaca texts
 * (prompts and responses alike, validation on the validation split's), then fine-tuned with the
 * loss on responses only, and answers the test split. Arguments: {@code instruction-data.json OUT
 * [pretrainIters] [finetuneEpochs]} (500 and 2); prints each phase's time and the response losses before and
 * after; {@code OUT/instruct} is the fine-tuned run with its {@code test-responses.json}.
 */
public final class InstructionExperiment {
  private InstructionExperiment() {}

  public static void main(String[] args) {
    Path file = Path.of(args[0]);
    Path out = Path.of(args[1]);
    int pretrainIters = args.length > 2 ? Integer.parseInt(args[2]) : 500;
    double epochs = args.length > 3 ? Double.parseDouble(args[3]) : 2;
    InstructionData.Splits split = InstructionData.readJson(file, false).split();
    String train = texts(split.train());
    String validation = texts(split.validation());
    // A block of 320 characters holds 90 % of the examples whole (the median is 246); a narrow model
    // keeps the whole run within a few minutes on two shared cores.
    GptConfig config = GptConfig.reference().withShape(2, 2, 64, 320);
    long t0 = System.nanoTime();
    Path pretrained = out.resolve("pretrain");
    LlmModel base;
    String baseNote;
    if (RunDir.holdsRun(pretrained)) {
      base = LlmModel.load(pretrained); // an earlier run's base: fine-tune it again
      baseNote = "reused " + pretrained + " (step " + base.step() + ")";
    } else {
      TrainingResult<LlmModel> r = GptTraining.train(train, validation, config,
          GptTrainOptions.reference(pretrained).withIters(pretrainIters).withBatch(8, 1)
              .withLr(1e-3, 1e-4, 50).withEval(Math.max(1, pretrainIters / 3), 10));
      base = r.model();
      baseNote = String.format(Locale.ROOT, "%d steps, val_loss %.4f (all characters)", pretrainIters,
          r.last() == null ? Double.NaN : r.last().evaluation().getOrDefault("val_loss", Double.NaN));
    }
    double pretrainSeconds = (System.nanoTime() - t0) / 1e9;
    InstructionTraining.Result r = InstructionTraining.train(base, split, InstructOptions.defaults(
        out.resolve("instruct")).withLength(0, epochs).withOptimizer(8, 1e-3, 0.1).withEval(50, 10, 200)
        .withSequences(config.blockSize(), false));
    System.out.printf(Locale.ROOT, "pretrain: %s, %.0f s%n", baseNote, pretrainSeconds);
    System.out.printf(Locale.ROOT, "finetune: %d steps, %.0f s, %,d parameters%n", r.steps(), r.seconds(),
        r.trainableParameters());
    for (String s : r.before().keySet()) {
      System.out.printf(Locale.ROOT, "%s_loss (responses): %.4f before, %.4f after%n", s, r.before().get(s),
          r.after().get(s));
    }
    for (int i = 0; i < Math.min(3, r.responses().size()); i++) {
      var e = r.responses().get(i);
      System.out.printf(Locale.ROOT, "%s | %s -> %s (expected: %s)%n", e.instruction(), e.input(),
          e.modelResponse().replace("\n", " "), e.output());
    }
  }

  /** The Alpaca texts of {@code data}, one after another, as a plain corpus. */
  private static String texts(InstructionData data) {
    StringBuilder s = new StringBuilder();
    for (InstructionRecord r : data.records()) {
      s.append(AlpacaPrompt.full(r)).append("\n\n");
    }
    return s.toString();
  }
}
