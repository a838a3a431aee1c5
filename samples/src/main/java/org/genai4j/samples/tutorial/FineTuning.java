package org.genai4j.samples.tutorial;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.genai4j.llm.GptTrainOptions;
import org.genai4j.llm.LlmModel;
import org.genai4j.llm.finetune.ClassificationTraining;
import org.genai4j.llm.finetune.ClassifierOptions;
import org.genai4j.llm.finetune.LoraConfig;
import org.genai4j.llm.finetune.LabeledTexts;
import org.genai4j.llm.finetune.TextClassifier;
import org.genai4j.llm.model.GptConfig;

/**
 * Chapter 9: a pretrained GPT becomes a spam classifier. A small char GPT is pretrained on the SMS
 * messages outside the evaluation splits, then fine-tuned with a class head (the last block and
 * the head train), and again with LoRA adapters (only the adapters and the head train), whose
 * merged weights predict the same.
 */
final class FineTuning implements Chapter {

  @Override
  public int number() {
    return 9;
  }

  @Override
  public String title() {
    return "Fine-tuning";
  }

  @Override
  public String page() {
    return "09-finetuning.md";
  }

  @Override
  public void run(ChapterRun run) throws Exception {
    LabeledTexts all = LabeledTexts.readTsv(run.labeledTextFile("sms-spam"), List.of("ham", "spam"));
    LabeledTexts.Splits split = all.balancedSplit(123); // every spam and as many ham, 70/10/20
    run.figure("sms_messages", all.size());
    run.figure("train_examples", split.train().size());
    run.figure("test_examples", split.test().size());

    // Pretraining: a language model on the messages that are not in the validation or test split.
    Set<String> heldOut = new HashSet<>(split.validation().texts());
    heldOut.addAll(split.test().texts());
    StringBuilder corpus = new StringBuilder();
    for (String t : all.texts()) {
      if (!heldOut.contains(t)) {
        corpus.append(t).append('\n');
      }
    }
    String validation = String.join("\n", split.validation().texts()) + "\n";
    GptConfig config = SmallGpt.config(run);
    int pretrainSteps = run.pick(40, 300);
    long t0 = System.nanoTime();
    LlmModel base = SmallGpt.train(run, corpus.toString(), validation, config,
        SmallGpt.options(run, pretrainSteps)).model();
    run.say("pretrained %d steps in %.0f s", pretrainSteps, (System.nanoTime() - t0) / 1e9);

    // 1. A class head on the last token's hidden state; the last block, the final norm and the head train.
    int steps = run.pick(30, 150);
    ClassifierOptions options = ClassifierOptions.defaults(null).withIters(steps).withTrainLayers(1)
        .withOptimizer(16, 1e-3, 0.1).withRun(123, run.shards(), !run.fast(), 0, config.blockSize());
    ClassificationTraining.Result head = ClassificationTraining.train(base, split, options);
    report(run, "last_block", head);

    // 2. LoRA: the whole base frozen; rank-8 adapters on every block's attention and MLP, and the head.
    LoraConfig lora = LoraConfig.ofFlags(8, 16, "attn,mlp");
    ClassificationTraining.Result adapted = ClassificationTraining.train(base, split, options.withLora(lora));
    report(run, "lora", adapted);

    // Merging folds B A into W: a plain model, no adapters, the same predictions.
    // Classify first: withLoraMerged changes the adapted classifier's own weights (use only the returned one).
    List<TextClassifier.Prediction> a = adapted.classifier().classify(split.test().texts());
    TextClassifier merged = adapted.classifier().withLoraMerged();
    List<TextClassifier.Prediction> m = merged.classify(split.test().texts());
    int same = 0;
    double worst = 0;
    for (int i = 0; i < a.size(); i++) {
      same += a.get(i).label().equals(m.get(i).label()) ? 1 : 0;
      worst = Math.max(worst, Math.abs(a.get(i).probability() - m.get(i).probability()));
    }
    run.say("merged vs adapted: %d of %d test predictions equal, probabilities within %.1e", same, a.size(), worst);
    run.figure("merged_same_predictions", same == a.size() && worst < 1e-4 ? "yes" : "no");
    run.say("%s -> %s", "WINNER! Claim your prize now, call 09061701461",
        head.classifier().classify("WINNER! Claim your prize now, call 09061701461").label());
  }

  private static void report(ChapterRun run, String name, ClassificationTraining.Result r) {
    run.say("%s: %,d of %,d parameters trained, %.0f s; accuracy %s; test confusion [true][predicted] %s", name,
        r.trainableParameters(), r.totalParameters(), r.seconds(), r.accuracy(),
        java.util.Arrays.deepToString(r.confusion()));
    run.figure(name + "_trainable", r.trainableParameters());
    run.figure(name + "_total", r.totalParameters());
    run.figure(name + "_test_accuracy_pct", 100 * r.accuracy().get("test"), 1);
  }
}
