package org.genai4j.samples.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.genai4j.common.util.Threads;
import org.genai4j.datasets.DataResolver;
import org.genai4j.datasets.Datasets;
import org.genai4j.datasets.ImageData;
import org.genai4j.datasets.Split;
import org.genai4j.datasets.TextCorpus;
import org.genai4j.llm.GptTrainOptions;
import org.genai4j.llm.finetune.LabeledTexts;
import org.genai4j.llm.finetune.LoraConfig;
import org.genai4j.llm.model.GptConfig;
import org.genai4j.llm.model.PositionalEncoding;
import org.genai4j.samples.experiments.FinetuneComparison;
import org.genai4j.samples.experiments.ImageExperiment;
import org.genai4j.samples.experiments.LlmExperiment;
import org.genai4j.samples.experiments.ResultTables;
import org.genai4j.samples.report.Report;
import org.genai4j.vae.VaeConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code genai4j compare ...}: side-by-side experiments at an equal wall-clock budget. */
@Command(name = "compare", mixinStandardHelpOptions = true,
    description = "Compare models at an equal training-time budget; writes report.html and report.json.",
    subcommands = {CompareCommand.Images.class, CompareCommand.Llm.class, CompareCommand.Finetune.class})
public final class CompareCommand {

  private static Map<String, String> facts(String data, double minutes) {
    Map<String, String> facts = new LinkedHashMap<>();
    facts.put("date", LocalDate.now().toString());
    facts.put("machine", Threads.machine());
    facts.put("data", data);
    facts.put("budget", minutes + " min of training per model");
    return facts;
  }

  private static Duration budget(double minutes) {
    if (!(minutes > 0)) {
      throw new IllegalArgumentException("--budget-minutes must be > 0, got " + minutes);
    }
    return Duration.ofMillis((long) (minutes * 60_000));
  }

  /** {@code genai4j compare images}: DCGAN vs MLP VAE vs conv VAE. */
  @Command(name = "images", mixinStandardHelpOptions = true, description = "DCGAN vs MLP VAE vs conv VAE on one dataset.")
  static final class Images implements Callable<Integer> {
    @Mixin RunOptions run;
    @Mixin DataOptions data;
    @Option(names = "--budget-minutes", defaultValue = "10", description = "Training minutes per model.") double minutes;
    @Option(names = "--score-images", defaultValue = "10000", description = "Generated and held-out images for FID.") int n;
    @Option(names = "--iw", defaultValue = "100", description = "Importance samples for the VAEs' NLL bound.") int iw;
    @Option(names = "--out", defaultValue = "runs/compare-images",
        description = "Output folder (report.html, report.json, one run folder per model).") Path out;

    @Override
    public Integer call() {
      run.apply();
      Duration budget = budget(minutes);
      if (iw < 1) {
        throw new IllegalArgumentException("--iw must be >= 1 (importance samples per image), got " + iw);
      }
      if (n < 1) {
        throw new IllegalArgumentException("--score-images must be >= 1, got " + n);
      }
      ImageData train = data.images(Split.TRAIN);
      ImageData test = data.images(Split.TEST);
      ImageQuality q = new ImageQuality(data.name, train, test);
      List<ImageExperiment.Result> results = new ArrayList<>();
      results.add(ImageExperiment.dcgan(train, q, n, budget, run.seed, run.shards(), out.resolve("dcgan")));
      results.add(ImageExperiment.vae(VaeConfig.Arch.MLP, train, test, q, n, iw, budget, run.seed, out.resolve("vae-mlp")));
      results.add(ImageExperiment.vae(VaeConfig.Arch.CONV, train, test, q, n, iw, budget, run.seed, out.resolve("vae-conv")));
      Report report = new Report("Image models at equal budget: " + data.name, facts(data.name, minutes));
      report.section("Results", String.format("FID on the dataset classifier's features (test accuracy %.3f),"
          + " %d generated vs %d held-out images; real-vs-real floor %.2f. Likelihoods on %d test images.",
          q.classifierAccuracy(), n, Math.min(n, test.size()), q.realFloor(n).fid(), Math.min(n, test.size())));
      ResultTables.images(report, "image models", results);
      System.out.println("report: " + report.write(out).toAbsolutePath());
      return 0;
    }
  }

  /** {@code genai4j compare llm}: tokenizer, positional encoding and size at an equal budget. */
  @Command(name = "llm", mixinStandardHelpOptions = true,
      description = "Char vs BPE tokenizer, learned vs sinusoidal positions, two model sizes.")
  static final class Llm implements Callable<Integer> {
    @Mixin RunOptions run;
    @Mixin DataOptions data;
    @Option(names = "--budget-minutes", defaultValue = "10", description = "Training minutes per configuration.") double minutes;
    @Option(names = "--eval-batches", defaultValue = "200", description = "Validation batches per result.")
    int evalBatches;
    @Option(names = "--out", defaultValue = "runs/compare-llm",
        description = "Output folder (report.html, report.json, one run folder per configuration).") Path out;

    @Override
    public Integer call() {
      run.apply();
      Duration budget = budget(minutes);
      if (evalBatches < 1) {
        throw new IllegalArgumentException("--eval-batches must be >= 1, got " + evalBatches);
      }
      TextCorpus corpus = data.text();
      GptConfig model = GptConfig.reference();
      GptTrainOptions base = GptTrainOptions.reference().withSeed(run.seed).withThreads(run.shards());
      Map<String, LlmExperiment.Setup> runs = new LinkedHashMap<>();
      runs.put("char, learned, 4x128", new LlmExperiment.Setup(model, base));
      runs.put("BPE 512, learned, 4x128", new LlmExperiment.Setup(model, base.withTokenizer("bpe", 512)));
      runs.put("char, sinusoidal, 4x128",
          new LlmExperiment.Setup(model.withPositional(PositionalEncoding.SINUSOIDAL), base));
      runs.put("char, learned, 2x64", new LlmExperiment.Setup(model.withShape(2, 2, 64, 64), base));
      List<LlmExperiment.Result> results = new ArrayList<>();
      int i = 0;
      for (var e : runs.entrySet()) {
        System.out.printf("[%d/%d] %s%n", ++i, runs.size(), e.getKey());
        results.add(LlmExperiment.run(e.getKey(), corpus, e.getValue(), budget, evalBatches, out.resolve("run" + i)));
      }
      Report report = new Report("GPT variants at equal budget: " + data.name, facts(data.name, minutes));
      report.section("Results", "Validation loss per token and in bits per character (comparable across tokenizers),"
          + " on " + evalBatches + " validation batches; constant learning rate after warmup.");
      ResultTables.llm(report, "GPT variants", results);
      System.out.println("report: " + report.write(out).toAbsolutePath());
      return 0;
    }
  }

  /** {@code genai4j compare finetune}: issue 14's classifiers side by side on the SMS spam split. */
  @Command(name = "finetune", mixinStandardHelpOptions = true,
      description = "Spam classifiers side by side: a GPT pretrained here then fully fine-tuned, the same from random"
          + " initialization, the pretrained GPT with LoRA, and a bag-of-words logistic regression; accuracy per"
          + " split, trainable parameters and training time.")
  static final class Finetune implements Callable<Integer> {
    @Mixin RunOptions run;
    @Option(names = "--data", defaultValue = "sms-spam", description = "A labeled-text dataset: sms-spam.") String data;
    @Option(names = "--data-path", description = "The labeled-text file (or its folder); skips the search.") Path dataPath;
    @Option(names = "--pretrain-iters", defaultValue = "1500",
        description = "Steps of pretraining the char GPT (4x128, context 128) on the texts outside val/test.")
    int pretrainIters;
    @Option(names = "--finetune-iters", defaultValue = "600", description = "Fine-tuning steps of each GPT row.")
    int finetuneIters;
    @Option(names = "--lora-rank", defaultValue = "8", description = "The LoRA row's rank.") int loraRank;
    @Option(names = "--lora-alpha", defaultValue = "16", description = "The LoRA row's alpha.") double loraAlpha;
    @Option(names = "--lora-targets", defaultValue = "attn,mlp", description = "The LoRA row's layers.")
    String loraTargets;
    @Option(names = "--out", defaultValue = "runs/compare-finetune", description = "Output folder (report.html,"
        + " report.json; pretrain/, reused when finished; full/, random/, lora/: the classifiers).") Path out;

    @Override
    public Integer call() {
      run.apply();
      if (pretrainIters < 1 || finetuneIters < 1) {
        throw new IllegalArgumentException("--pretrain-iters and --finetune-iters must be >= 1");
      }
      LoraConfig lora = new LoraConfig(loraRank, loraAlpha, LoraConfig.parseTargets(loraTargets));
      if (!Datasets.names().contains(data)) {
        throw new IllegalArgumentException("unknown dataset '" + data + "'; known: " + String.join(", ",
            Datasets.names()));
      }
      Path file = Datasets.labeledTextFile(data, DataResolver.defaults(), dataPath);
      LabeledTexts all = LabeledTexts.readTsv(file, List.of());
      LabeledTexts.Splits split = all.balancedSplit(123);
      FinetuneComparison.Result r = FinetuneComparison.run(all, split,
          FinetuneComparison.Setup.defaults(pretrainIters, finetuneIters, lora, run.seed, run.shards()), out);
      Map<String, String> facts = new LinkedHashMap<>();
      facts.put("date", LocalDate.now().toString());
      facts.put("machine", Threads.machine());
      facts.put("data", file + ": balanced split " + split.train().size() + " / " + split.validation().size() + " / "
          + split.test().size() + " (train / val / test), seed 123");
      facts.put("GPT", "char, 4 layers, width 128, context 128; pretrained " + pretrainIters + " steps; fine-tuned "
          + finetuneIters + " steps (full: lr 1e-4, LoRA: lr 1e-3, batch 16)");
      Report report = new Report("Spam classifiers: fine-tuning, LoRA and a bag-of-words baseline", facts);
      FinetuneComparison.addTo(report, r);
      for (FinetuneComparison.Row row : r.rows()) {
        System.out.printf(java.util.Locale.ROOT, "%-45s trainable %,11d  test %.4f  %.1f s%n", row.name(),
            row.trainable(), row.accuracy().get("test"), row.seconds());
      }
      System.out.println("report: " + report.write(out).toAbsolutePath());
      return 0;
    }
  }
}
