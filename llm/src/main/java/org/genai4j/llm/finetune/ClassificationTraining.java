package org.genai4j.llm.finetune;

import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.genai4j.common.ops.Params;
import org.genai4j.common.train.LrSchedule;
import org.genai4j.common.train.MetricsLogListener;
import org.genai4j.common.train.ModuleGroup;
import org.genai4j.common.train.OptimizerConfig;
import org.genai4j.common.train.ProgressBarListener;
import org.genai4j.common.train.Replicas;
import org.genai4j.common.train.RunDir;
import org.genai4j.common.train.RunFolder;
import org.genai4j.common.train.Trainable;
import org.genai4j.common.train.Trainer;
import org.genai4j.common.train.TrainerConfig;
import org.genai4j.llm.LlmModel;
import org.genai4j.llm.model.Gpt;
import org.genai4j.llm.model.GptConfig;

/**
 * Fine-tunes a pretrained GPT into a text classifier (LLMs-from-scratch chapter 6): the output
 * head becomes an n-class head read at the last real token, the last {@code K} blocks, the final
 * norm and the head train (or all of the model), the rest stays frozen; AdamW at a constant rate,
 * batches split over threads by the common trainer, validation accuracy in {@code metrics.jsonl}.
 */
public final class ClassificationTraining {
  private ClassificationTraining() {}

  /**
   * What a fine-tuning produced.
   *
   * @param classifier the classifier after the last step
   * @param accuracy accuracy per split ({@code train}, {@code val}, {@code test})
   * @param confusion the test split's confusion matrix, {@code [true class][predicted class]}
   * @param trainableParameters parameters that trained
   * @param totalParameters all parameters of the classifier
   * @param seconds wall time of the training loop
   */
  public record Result(TextClassifier classifier, Map<String, Double> accuracy, int[][] confusion,
      long trainableParameters, long totalParameters, double seconds) {}

  /**
   * Fine-tunes {@code base} on {@code data} with {@code options}; writes the run when {@code
   * options.outDir()} is set. A LoRA run that writes a folder needs the base's {@link
   * BaseReference}: use {@link #train(LlmModel, BaseReference, LabeledTexts.Splits, ClassifierOptions)}.
   */
  public static Result train(LlmModel base, LabeledTexts.Splits data, ClassifierOptions options) {
    return train(base, null, data, options);
  }

  /**
   * Fine-tunes {@code base}, opened from {@code reference} (null: a model in memory), on {@code
   * data}. A LoRA run's folder holds the adapters, the head and the reference, not the base.
   */
  public static Result train(LlmModel base, BaseReference reference, LabeledTexts.Splits data,
      ClassifierOptions options) {
    if (options.lora() != null && options.outDir() != null && reference == null) {
      throw new IllegalArgumentException("a LoRA run saves only its adapters, so it needs its base model as a folder"
          + " or file (--model), not a model in memory");
    }
    if (LoraGpt.hasAdapters(base)) {
      throw new IllegalArgumentException("the base model has LoRA adapters; fold them in first ('llm merge-lora',"
          + " LoraGpt.merged) and fine-tune the merged model");
    }
    GptConfig config = base.config();
    int layers = config.nLayer();
    if (options.trainLayers() > layers) {
      throw new IllegalArgumentException("--train-layers last-" + options.trainLayers() + " exceeds the model's "
          + layers + " layers");
    }
    if (options.lora() != null) {
      // Named before the run folder is taken: a refused setting leaves nothing behind.
      Gpt.checkLowRank(config, options.lora().rank(), options.lora().targets());
    }
    try (RunFolder run = options.outDir() == null ? null : RunFolder.open(options.outDir(), RunFolder.Start.NEW)) {
      if (run != null) {
        run.begin(Map.of(RunDir.TRAIN, optionsJson(options)), Map.of(), java.util.Set.of(), () -> {});
      }
      return train(base, reference, data, options, layers);
    }
  }

  private static String optionsJson(ClassifierOptions o) {
    var n = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
    n.put("task", "classify");
    n.put("trainLayers", o.trainLayers());
    n.put("iters", o.iters());
    n.put("batch", o.batch());
    n.put("lr", o.lr());
    n.put("weightDecay", o.weightDecay());
    n.put("maxLength", o.maxLength());
    n.put("seed", o.seed());
    if (o.lora() != null) {
      n.put("loraRank", o.lora().rank());
      n.put("loraAlpha", o.lora().alpha());
      n.put("loraTargets", o.lora().targetsText());
    }
    return n.toPrettyString();
  }

  private static Result train(LlmModel base, BaseReference reference, LabeledTexts.Splits data,
      ClassifierOptions options, int layers) {
    GptConfig config = base.config();
    int maxLength = Math.min(options.maxLength(), config.blockSize());
    int classes = data.train().classes().size();
    Params params = Params.init(options.seed());
    GptClassifier model = new GptClassifier(config, classes, params, options.lora());
    TextClassifier.copyShared(base.weights(), params);
    int pad = 0;
    LoraRun lora = options.lora() == null ? null : new LoraRun(options.lora(), reference);
    TextClassifier classifier = new TextClassifier(model, base.tokenizer(), data.train().classes(), maxLength, pad,
        lora);

    // With LoRA only the adapters and the new head train; the base stays frozen and is never copied.
    Predicate<String> trains = options.lora() != null ? TextClassifier::loraTrained
        : trainable(options.trainLayers(), layers);
    Replicas<GptClassifier> replicas = new Replicas<>(model, params,
        p -> new GptClassifier(config, classes, p, options.lora()));
    ModuleGroup<GptClassifier> group = new ModuleGroup<>("classifier", replicas, trains,
        (m, batch, ctx) -> m.trainStep(batch, ctx));
    Trainable trainable = Trainable.of(config.toJson(), group);
    long trainableCount = trainable.parameterCount();
    ClassificationBatches train = new ClassificationBatches(
        ClassificationBatches.encode(data.train().texts(), base.tokenizer()::encodeKnown, maxLength, pad),
        data.train().labels(), options.batch(), pad);
    OptimizerConfig optimizer = OptimizerConfig.adamW(LrSchedule.warmupCosine(options.lr(), options.lr(), 0,
        options.iters()), 0.9, 0.999, options.weightDecay());
    TrainerConfig tc = TrainerConfig.of(options.iters(), options.seed()).withThreads(options.threads())
        .withLogEvery(10).withEvalEvery(options.evalEvery() == 0 ? options.iters() : options.evalEvery());
    Trainer trainer = new Trainer(trainable, optimizer, tc);
    // The evaluation copy shares the weights and has buffers of its own.
    TextClassifier evaluated = new TextClassifier(new GptClassifier(config, classes, params.replica(),
        options.lora()), base.tokenizer(), data.train().classes(), maxLength, pad, lora);
    trainer.setEvaluator(() -> Map.of("val_accuracy", accuracy(evaluated, data.validation(), null)));
    if (options.progressBar()) {
      trainer.addListener(new ProgressBarListener("classify", "ex"));
    }
    if (options.outDir() != null) {
      trainer.addListener(new MetricsLogListener(options.outDir().resolve(RunDir.METRICS)));
    }
    long start = System.nanoTime();
    trainer.fit(train);
    double seconds = (System.nanoTime() - start) / 1e9;

    int[][] confusion = new int[classes][classes];
    Map<String, Double> acc = new java.util.LinkedHashMap<>();
    acc.put("train", accuracy(evaluated, data.train(), null));
    acc.put("val", accuracy(evaluated, data.validation(), null));
    acc.put("test", accuracy(evaluated, data.test(), confusion));
    if (options.outDir() != null) {
      classifier.save(options.outDir());
    }
    return new Result(classifier, acc, confusion, trainableCount, params.count(), seconds);
  }

  /** Whether a parameter trains: the head, the final norm and the last {@code k} blocks ({@code -1}: everything). */
  static Predicate<String> trainable(int k, int layers) {
    if (k < 0) {
      return name -> !name.equals("lm_head.weight");
    }
    return name -> {
      if (name.startsWith("score.") || name.startsWith("transformer.ln_f.")) {
        return true;
      }
      if (!name.startsWith("transformer.h.")) {
        return false;
      }
      int layer = Integer.parseInt(name.substring("transformer.h.".length(), name.indexOf('.', "transformer.h.".length())));
      return layer >= layers - k;
    };
  }

  /** The share of {@code data} that {@code classifier} labels right; counts into {@code confusion} when given. */
  public static double accuracy(TextClassifier classifier, LabeledTexts data, int[][] confusion) {
    List<TextClassifier.Prediction> p = classifier.classify(data.texts());
    int right = 0;
    for (int i = 0; i < p.size(); i++) {
      int predicted = classifier.classes().indexOf(p.get(i).label());
      if (predicted == data.labels()[i]) {
        right++;
      }
      if (confusion != null) {
        confusion[data.labels()[i]][predicted]++;
      }
    }
    return right / (double) Math.max(1, p.size());
  }
}
