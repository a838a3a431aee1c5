package org.genai4j.samples.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.genai4j.datasets.DataResolver;
import org.genai4j.datasets.Datasets;
import org.genai4j.llm.LlmModel;
import org.genai4j.llm.finetune.BaseReference;
import org.genai4j.llm.finetune.ClassificationTraining;
import org.genai4j.llm.finetune.ClassifierOptions;
import org.genai4j.llm.finetune.LabeledTexts;
import org.genai4j.llm.finetune.LoraGpt;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code genai4j llm finetune ...}: adapt a pretrained GPT to a task. */
@Command(name = "finetune", mixinStandardHelpOptions = true,
    description = "Fine-tune a pretrained GPT (a run, a Hugging Face GPT-2 folder, ...) to a task.",
    subcommands = {FinetuneCommand.Classify.class})
public final class FinetuneCommand {

  /** {@code genai4j llm finetune classify}: a text classifier from a pretrained GPT. */
  @Command(name = "classify", mixinStandardHelpOptions = true,
      description = "Replace the output head by a class head read at the last token and train it with the last"
          + " blocks (LLMs-from-scratch chapter 6); prints accuracy per split and the test confusion matrix.")
  static final class Classify implements Callable<Integer> {
    @Mixin RunOptions run;
    @Option(names = "--model", required = true, description = LlmCommand.MODEL) Path model;
    @Option(names = "--data", defaultValue = "sms-spam",
        description = "A labeled-text dataset (label<TAB>text lines): sms-spam.") String data;
    @Option(names = "--data-path", description = "The labeled-text file (or its folder); skips the search.") Path dataPath;
    @Option(names = "--out", required = true, description = "A new run folder for the classifier.") Path out;
    @Option(names = "--train-layers", defaultValue = "last-1",
        description = "all, or last-K: the last K blocks train with the final norm and the head (last-0: the head"
            + " and the norm only).") String trainLayers;
    @Option(names = "--iters", defaultValue = "650", description = "Optimizer steps (650: 5 epochs of the"
        + " balanced SMS training split at batch 8).") int iters;
    @Option(names = "--batch", defaultValue = "8", description = "Examples per step.") int batch;
    @Option(names = "--lr", defaultValue = "5e-5", description = "AdamW's learning rate (constant).") double lr;
    @Option(names = "--weight-decay", defaultValue = "0.1", description = "AdamW's weight decay.") double weightDecay;
    @Option(names = "--max-length", defaultValue = "120",
        description = "Texts are cut to their first N tokens (at most the model's context).") int maxLength;
    @Mixin LoraOptions lora;
    @Option(names = "--eval-every", defaultValue = "50",
        description = "Steps between validation accuracies in metrics.jsonl (0: at the end).") int evalEvery;

    @Override
    public Integer call() {
      run.apply();
      ClassifierOptions opts = new ClassifierOptions(out, ClassifierOptions.parseTrainLayers(trainLayers), iters,
          batch, lr, weightDecay, maxLength, evalEvery, run.seed, run.shards(), true, lora.config());
      if (!Datasets.names().contains(data)) {
        throw new IllegalArgumentException("unknown dataset '" + data + "'; known: " + String.join(", ",
            Datasets.names()));
      }
      Path file = Datasets.labeledTextFile(data, DataResolver.defaults(), dataPath);
      LabeledTexts all = LabeledTexts.readTsv(file, List.of());
      LabeledTexts.Splits split = all.balancedSplit(run.seed);
      LlmModel base = LlmModel.open(model);
      if (LoraGpt.hasAdapters(base)) {
        if (opts.lora() != null) {
          throw new IllegalArgumentException("--model " + model + " is itself a LoRA run; fold its adapters in first"
              + " with 'llm merge-lora --model " + model + " --out MERGED' and use --lora-rank on MERGED");
        }
        base = LoraGpt.merged(base); // the classifier starts from the adapted model, its adapters folded in
      }
      // A LoRA run stores its adapters and this reference to the base, never the base's weights.
      BaseReference reference = opts.lora() == null ? null : BaseReference.of(model);
      System.out.printf(Locale.ROOT, "data: %s, %d texts; balanced split %d / %d / %d (train / val / test)%n", file,
          all.size(), split.train().size(), split.validation().size(), split.test().size());
      ClassificationTraining.Result r = ClassificationTraining.train(base, reference, split, opts);
      System.out.printf(Locale.ROOT, "trainable parameters: %,d of %,d (%.1f %%); %.0f s%n", r.trainableParameters(),
          r.totalParameters(), 100.0 * r.trainableParameters() / r.totalParameters(), r.seconds());
      r.accuracy().forEach((k, v) -> System.out.printf(Locale.ROOT, "%s_accuracy=%.4f%n", k, v));
      List<String> classes = split.train().classes();
      System.out.println("test confusion matrix (rows: true class, columns: predicted):");
      System.out.println("          " + String.join(" ", classes.stream().map(c -> String.format("%8s", c)).toList()));
      for (int i = 0; i < classes.size(); i++) {
        StringBuilder row = new StringBuilder(String.format("%8s  ", classes.get(i)));
        for (int j = 0; j < classes.size(); j++) {
          row.append(String.format("%8d ", r.confusion()[i][j]));
        }
        System.out.println(row.toString().stripTrailing());
      }
      System.out.println("classifier written to " + out);
      return 0;
    }
  }
}
