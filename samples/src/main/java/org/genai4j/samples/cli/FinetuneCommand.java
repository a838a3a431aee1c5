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
import org.genai4j.llm.finetune.DpoOptions;
import org.genai4j.llm.finetune.DpoTraining;
import org.genai4j.llm.finetune.InstructOptions;
import org.genai4j.llm.finetune.InstructionData;
import org.genai4j.llm.finetune.InstructionTraining;
import org.genai4j.llm.finetune.LabeledTexts;
import org.genai4j.llm.finetune.LoraGpt;
import org.genai4j.llm.finetune.ResponseLogProb;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code genai4j llm finetune ...}: adapt a pretrained GPT to a task. */
@Command(name = "finetune", mixinStandardHelpOptions = true,
    description = "Fine-tune a pretrained GPT (a run, a Hugging Face GPT-2 folder, ...) to a task.",
    subcommands = {FinetuneCommand.Classify.class, FinetuneCommand.Instruct.class, FinetuneCommand.Dpo.class})
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
      LlmModel base = openBase(model, opts.lora() != null);
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

  /** {@code genai4j llm finetune instruct}: instruction following from a pretrained GPT. */
  @Command(name = "instruct", mixinStandardHelpOptions = true,
      description = "Train a GPT to write the response after an Alpaca prompt, the loss on response tokens only"
          + " (LLMs-from-scratch chapter 7); prints the train and validation losses before and after and writes"
          + " the test split's responses to RUN/test-responses.json. The result is an ordinary model run:"
          + " 'llm generate --model RUN'.")
  static final class Instruct implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin RunOptions run;
    @Option(names = "--model", required = true, description = LlmCommand.MODEL) Path model;
    @Option(names = "--data", defaultValue = "instruct",
        description = "An instruction dataset (a JSON array of instruction/input/output records): instruct.")
    String data;
    @Option(names = "--data-path", description = "The instruction JSON file (or its folder); skips the search.")
    Path dataPath;
    @Option(names = "--out", required = true, description = "A new run folder for the fine-tuned model.") Path out;
    @Option(names = "--iters", defaultValue = "0",
        description = "Optimizer steps; 0: as many as --epochs passes over the training split take.") int iters;
    @Option(names = "--epochs", defaultValue = "2", description = "Passes over the training split (when --iters is"
        + " 0).") double epochs;
    @Option(names = "--batch", defaultValue = "8", description = "Examples per step.") int batch;
    @Option(names = "--lr", defaultValue = "5e-5", description = "AdamW's learning rate (constant).") double lr;
    @Option(names = "--weight-decay", defaultValue = "0.1", description = "AdamW's weight decay.") double weightDecay;
    @Option(names = "--max-length", defaultValue = "1024",
        description = "The most input tokens of an example (at most the model's context); longer ones are cut"
            + " with a warning.") int maxLength;
    @Option(names = "--no-truncate", description = "Refuse an example longer than the context instead of cutting"
        + " it.") boolean noTruncate;
    @Option(names = "--eval-every", defaultValue = "5",
        description = "Steps between train and validation losses in metrics.jsonl (0: at the start and end).")
    int evalEvery;
    @Option(names = "--eval-batches", defaultValue = "5",
        description = "Batches of each split those losses read (0: the whole split).") int evalBatches;
    @Option(names = "--response-tokens", defaultValue = "256",
        description = "The most tokens of each generated test response (0: none).") int responseTokens;
    @Mixin LoraOptions lora;

    @Override
    public Integer call() {
      run.apply();
      InstructOptions opts = new InstructOptions(out, iters, epochs, batch, lr, weightDecay, maxLength, noTruncate,
          evalEvery, evalBatches, responseTokens, run.seed, run.shards(), true, lora.config());
      if (!Datasets.names().contains(data)) {
        throw new IllegalArgumentException("unknown dataset '" + data + "'; known: " + String.join(", ",
            Datasets.names()));
      }
      Path file = Datasets.instructionFile(data, DataResolver.defaults(), dataPath);
      InstructionData all = InstructionData.readJson(file, false);
      InstructionData.Splits split = all.split();
      if (split.train().size() == 0 || split.validation().size() == 0) {
        throw new IllegalArgumentException(file + " holds " + all.size() + " records, which the 85/5/10 split"
            + " leaves " + split.train().size() + " for training and " + split.validation().size()
            + " for validation; both need at least one");
      }
      LlmModel base = openBase(model, opts.lora() != null);
      // A LoRA run stores its adapters and this reference to the base, never the base's weights.
      BaseReference reference = opts.lora() == null ? null : BaseReference.of(model);
      System.out.printf(Locale.ROOT, "data: %s, %d records; split %d / %d / %d (train / val / test)%n", file,
          all.size(), split.train().size(), split.validation().size(), split.test().size());
      // Warnings (examples cut to the context) go where picocli writes errors.
      InstructionTraining.Result r = InstructionTraining.train(base, reference, split, opts, line -> {
        spec.commandLine().getErr().println(line);
        spec.commandLine().getErr().flush();
      });
      System.out.printf(Locale.ROOT, "trainable parameters: %,d of %,d (%.1f %%); %d steps, %.0f s%n",
          r.trainableParameters(), r.totalParameters(), 100.0 * r.trainableParameters() / r.totalParameters(),
          r.steps(), r.seconds());
      for (String s : r.before().keySet()) {
        System.out.printf(Locale.ROOT, "%s_loss (responses): %.4f before, %.4f after%n", s, r.before().get(s),
            r.after().get(s));
      }
      if (responseTokens > 0) {
        System.out.println("test responses (" + r.responses().size() + ") written to "
            + out.resolve(InstructionTraining.RESPONSES));
      }
      System.out.println("fine-tuned model written to " + out + (opts.lora() == null ? "" : " (adapters only, on "
          + model + "; 'llm merge-lora' makes it standalone)") + " (try: genai4j llm generate --model " + out + ")");
      return 0;
    }
  }

  /** {@code genai4j llm finetune dpo}: preference tuning (DPO) against a frozen copy of the base. */
  @Command(name = "dpo", mixinStandardHelpOptions = true,
      description = "Direct preference optimization (LLMs-from-scratch chapter 7, notebook 04): the model learns to"
          + " prefer each chosen response over the rejected one, relative to a frozen copy of itself. Logs loss,"
          + " reward margin, rewards and log-probabilities to metrics.jsonl; saves the tuned model as an llm run.")
  static final class Dpo implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin RunOptions run;
    @Option(names = "--model", required = true, description = LlmCommand.MODEL) Path model;
    @Option(names = "--data", defaultValue = "instruct-preference",
        description = "A preference dataset (JSON records with instruction, input, output, chosen, rejected):"
            + " instruct-preference.") String data;
    @Option(names = "--data-path", description = "The JSON file (or its folder); skips the search.") Path dataPath;
    @Option(names = "--out", required = true, description = "A new run folder for the tuned model.") Path out;
    @Option(names = "--iters", defaultValue = "117",
        description = "Optimizer steps (117: one epoch of the 935 training pairs at batch 8).") int iters;
    @Option(names = "--batch", defaultValue = "8", description = "Preference pairs per step.") int batch;
    @Option(names = "--lr", defaultValue = "5e-6",
        description = "AdamW's learning rate (constant; the book's 5e-6 for GPT-2; a small char GPT moves at 5e-5).") double lr;
    @Option(names = "--weight-decay", defaultValue = "0.01", description = "AdamW's weight decay.") double weightDecay;
    @Option(names = "--beta", defaultValue = "0.1",
        description = "DPO's beta: how strongly the policy is held near the reference (smaller: looser).") double beta;
    @Option(names = "--max-length", defaultValue = "1024",
        description = "Sequences keep at most N input tokens (and the model's context at most).") int maxLength;
    @Option(names = "--no-truncate", description = "Refuse a longer sequence instead of cutting it.") boolean noTruncate;
    @Option(names = "--log-prob", defaultValue = "mean",
        description = "A response's log-probability: the mean over its tokens (LLMs-from-scratch) or their sum.")
    String logProb;
    @Option(names = "--eval-every", defaultValue = "10",
        description = "Steps between validation evaluations in metrics.jsonl (0: at the end).") int evalEvery;
    @Option(names = "--eval-pairs", defaultValue = "0",
        description = "Validation pairs evaluated during training (0: all).") int evalPairs;
    @Mixin LoraOptions lora;

    @Override
    public Integer call() {
      run.apply();
      ResponseLogProb.Reduction reduction = switch (logProb.toLowerCase(Locale.ROOT)) {
        case "mean" -> ResponseLogProb.Reduction.MEAN;
        case "sum" -> ResponseLogProb.Reduction.SUM;
        default -> throw new IllegalArgumentException("--log-prob must be mean or sum, got '" + logProb + "'");
      };
      DpoOptions opts = new DpoOptions(out, iters, batch, lr, weightDecay, beta, maxLength, noTruncate, evalEvery,
          evalPairs, run.seed, run.shards(), true, reduction, lora.config());
      if (!Datasets.names().contains(data)) {
        throw new IllegalArgumentException("unknown dataset '" + data + "'; known: " + String.join(", ",
            Datasets.names()));
      }
      Path file = Datasets.instructionFile(data, DataResolver.defaults(), dataPath);
      InstructionData all = InstructionData.readJson(file, true);
      InstructionData.Splits split = all.split();
      LlmModel base = openBase(model, opts.lora() != null);
      // A LoRA run stores its adapters and this reference to the base, never the base's weights.
      BaseReference reference = opts.lora() == null ? null : BaseReference.of(model);
      System.out.printf(Locale.ROOT, "data: %s, %d preference pairs; split %d / %d / %d (train / val / test)%n", file,
          all.size(), split.train().size(), split.validation().size(), split.test().size());
      // Warnings (sequences cut to the context) go where picocli writes errors.
      DpoTraining.Result r = DpoTraining.train(base, reference, split, opts, spec.commandLine().getErr()::println);
      System.out.printf(Locale.ROOT, "trainable parameters: %,d of %,d (%.1f %%); %.0f s%n", r.trainableParameters(),
          r.totalParameters(), 100.0 * r.trainableParameters() / r.totalParameters(), r.seconds());
      System.out.println("split  model   loss    reward_margin  chosen_logp  rejected_logp  logp_gap");
      for (String s : r.before().keySet()) {
        for (var e : List.of(java.util.Map.entry("base", r.before().get(s)), java.util.Map.entry("tuned",
            r.after().get(s)))) {
          DpoTraining.Evaluation v = e.getValue();
          System.out.printf(Locale.ROOT, "%-5s  %-5s  %.4f  %13.4f  %11.4f  %13.4f  %8.4f%n", s, e.getKey(), v.loss(),
              v.margin(), v.chosenLogProb(), v.rejectedLogProb(), v.gap());
        }
      }
      System.out.println("tuned model written to " + out + " (llm generate --model " + out + ")");
      return 0;
    }
  }

  /**
   * The model fine-tuning starts from; a LoRA run given as {@code --model} is merged first (new
   * adapters on it are refused: adapters stack on a standalone base only).
   */
  static LlmModel openBase(Path model, boolean lora) {
    LlmModel base = LlmModel.open(model);
    if (LoraGpt.hasAdapters(base)) {
      if (lora) {
        throw new IllegalArgumentException("--model " + model + " is itself a LoRA run; fold its adapters in first"
            + " with 'llm merge-lora --model " + model + " --out MERGED' and use --lora-rank on MERGED");
      }
      base = LoraGpt.merged(base);
    }
    return base;
  }
}
