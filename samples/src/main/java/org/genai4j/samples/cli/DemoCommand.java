package org.genai4j.samples.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.genai4j.common.util.Threads;
import org.genai4j.datasets.ImageData;
import org.genai4j.datasets.Split;
import org.genai4j.llm.GptTrainOptions;
import org.genai4j.llm.model.GptConfig;
import org.genai4j.samples.experiments.DataChoice;
import org.genai4j.samples.experiments.ImageExperiment;
import org.genai4j.samples.experiments.LlmExperiment;
import org.genai4j.samples.experiments.ResultTables;
import org.genai4j.samples.report.Report;
import org.genai4j.vae.VaeConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code genai4j demo}: a small GPT, a DCGAN and an MLP VAE, each trained for a few minutes on
 * the default datasets (synthetic stand-ins when the real ones cannot be had), then one report.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Train a small GPT, DCGAN and VAE for a few minutes each and write an HTML report.")
public final class DemoCommand implements Callable<Integer> {

  @Mixin RunOptions run;

  @Option(names = "--minutes", defaultValue = "2", description = "Training minutes per model.")
  double minutes;

  @Option(names = "--out", defaultValue = "runs/demo", description = "Output folder (report.html, report.json, runs).")
  Path out;

  @Override
  public Integer call() {
    run.apply();
    if (!(minutes > 0)) {
      throw new IllegalArgumentException("--minutes must be > 0, got " + minutes);
    }
    Duration budget = Duration.ofMillis((long) (minutes * 60_000));
    DataChoice text = DataChoice.text("tinyshakespeare", "synthetic-text");
    DataChoice images = DataChoice.images("fashion-mnist", "synthetic-shapes");
    Map<String, String> facts = new LinkedHashMap<>();
    facts.put("date", LocalDate.now().toString());
    facts.put("machine", Threads.machine());
    facts.put("budget", minutes + " min of training per model");
    facts.put("text data", text.name() + (text.note().isEmpty() ? "" : " (" + text.note() + ")"));
    facts.put("image data", images.name() + (images.note().isEmpty() ? "" : " (" + images.note() + ")"));
    for (String note : List.of(text.note(), images.note())) {
      if (!note.isEmpty()) {
        System.out.println("note: " + note);
      }
    }

    System.out.println("[1/3] GPT on " + text.name());
    LlmExperiment.Setup gpt = new LlmExperiment.Setup(GptConfig.reference(),
        GptTrainOptions.reference().withSeed(run.seed).withThreads(run.shards()));
    LlmExperiment.Result llm = LlmExperiment.run("GPT 4x128 char", text.corpus(), gpt, budget, 50, out.resolve("gpt"));

    ImageData train = images.split(Split.TRAIN);
    ImageData test = images.split(Split.TEST);
    System.out.println("[2/3] DCGAN on " + images.name() + " (the FID classifier is trained once and cached)");
    ImageQuality quality = new ImageQuality(images.name(), train, test, true);
    ImageExperiment.Result gan = ImageExperiment.dcgan(train, quality, 2000, budget, run.seed, run.shards(),
        out.resolve("dcgan"));
    System.out.println("[3/3] MLP VAE on " + images.name());
    ImageExperiment.Result vae = ImageExperiment.vae(VaeConfig.Arch.MLP, train, test, quality, 2000, 20, budget,
        run.seed, out.resolve("vae"));

    Report report = new Report("genai4j demo", facts);
    report.section("Language model", "A character-level GPT (nanoGPT's CPU configuration) trained for the budget;"
        + " validation loss on 50 batches of " + text.name() + ".");
    ResultTables.llm(report, "GPT", List.of(llm));
    report.section("Image models", "FID is the Frechet distance between classifier features of 2000 generated"
        + " and 2000 held-out images (classifier test accuracy " + String.format("%.3f", quality.classifierAccuracy())
        + "; real-vs-real floor " + String.format("%.2f", quality.realFloor(2000).fid()) + ").");
    ResultTables.images(report, "DCGAN and VAE", List.of(gan, vae));
    Path html = report.write(out);
    System.out.println("report: " + html.toAbsolutePath());
    return 0;
  }
}
