package org.genai4j.samples.tutorial;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.genai4j.common.util.Threads;
import org.genai4j.datasets.TextCorpus;
import org.genai4j.llm.GptTrainOptions;
import org.genai4j.llm.LlmEvaluation;
import org.genai4j.llm.LlmModel;
import org.genai4j.llm.model.GptConfig;
import org.genai4j.samples.experiments.LlmExperiment;
import org.genai4j.samples.experiments.ResultTables;
import org.genai4j.samples.report.Report;

/**
 * Chapter 12: comparing models fairly. Three GPT variants (a big and a small char model, a BPE
 * one) compared at an equal number of steps and at an equal wall-clock budget, in nats per token
 * and in bits per character (which compare across tokenizers), written as an HTML report.
 */
final class ComparingModels implements Chapter {

  @Override
  public int number() {
    return 12;
  }

  @Override
  public String title() {
    return "Comparing models fairly";
  }

  @Override
  public String page() {
    return "12-comparing.md";
  }

  private static Path lossPlot(Path dir, String name) {
    Path png = dir.resolve("loss.png");
    org.genai4j.common.eval.LossPlot.write(dir.resolve("metrics.jsonl"), List.of("loss"), png, 640, 400, name);
    return png;
  }

  @Override
  public void run(ChapterRun run) throws Exception {
    TextCorpus corpus = SmallGpt.corpus(run);
    GptConfig big = SmallGpt.config(run);
    GptConfig small = run.fast() ? big.withShape(1, 1, 32, 32) : big.withShape(2, 2, 64, 64);
    GptTrainOptions base = SmallGpt.options(run, 1);
    Map<String, LlmExperiment.Setup> setups = new LinkedHashMap<>();
    setups.put("big", new LlmExperiment.Setup(big, base));
    setups.put("small", new LlmExperiment.Setup(small, base));
    setups.put("bpe", new LlmExperiment.Setup(big, base.withTokenizer("bpe", 512)));
    int steps = run.pick(40, 300);
    int evalBatches = run.pick(5, 50);

    // 1. Equal steps: the same number of updates and of training tokens for each.
    List<LlmExperiment.Result> equalSteps = new ArrayList<>();
    for (var e : setups.entrySet()) {
      Path dir = Generation.freshDir(run, "steps-" + e.getKey());
      long t0 = System.nanoTime();
      LlmModel model = SmallGpt.train(run, corpus.train(), corpus.validation(), e.getValue().config(),
          e.getValue().options().withIters(steps).withOut(dir)).model();
      double seconds = (System.nanoTime() - t0) / 1e9;
      LlmEvaluation.Result r = LlmEvaluation.evaluate(model, corpus.validation(), evalBatches, 4242);
      run.say("%-5s %,9d parameters, %d steps in %5.1f s: val_loss %.3f per token, %.3f bits per character",
          e.getKey(), model.parameterCount(), steps, seconds, r.loss(), r.bitsPerChar());
      run.figure("params_" + e.getKey(), model.parameterCount());
      run.figure("steps_loss_" + e.getKey(), r.loss(), 2);
      run.figure("steps_bpc_" + e.getKey(), r.bitsPerChar(), 2);
      equalSteps.add(new LlmExperiment.Result(e.getKey() + " (" + steps + " steps)", model.parameterCount(), steps,
          steps * (double) base.batchSize() * e.getValue().config().blockSize() / seconds, r.loss(), r.bitsPerChar(),
          "", lossPlot(dir, e.getKey())));
    }

    // 2. Equal time: each trains until the same wall-clock budget is spent (what `compare llm` does).
    Duration budget = Duration.ofSeconds(run.pick(2, 15));
    List<LlmExperiment.Result> equalTime = new ArrayList<>();
    for (var e : setups.entrySet()) {
      Path dir = Generation.freshDir(run, "time-" + e.getKey());
      LlmExperiment.Result r = LlmExperiment.run(e.getKey() + " (" + budget.toSeconds() + " s)", corpus, e.getValue(),
          budget, evalBatches, dir);
      run.say("%-5s %d s: %,d steps at %,.0f tokens/s, %.3f bits per character", e.getKey(), budget.toSeconds(),
          r.steps(), r.tokensPerSecond(), r.bitsPerChar());
      equalTime.add(r);
    }

    Map<String, String> facts = new LinkedHashMap<>();
    facts.put("machine", Threads.machine());
    facts.put("data", "tinyshakespeare");
    facts.put("budget", budget.toSeconds() + " s per model; " + steps + " steps per model");
    Report report = new Report("Tutorial chapter 12: GPT variants", facts);
    report.section("Equal steps", "The same number of optimizer steps and training tokens for each model.");
    ResultTables.llm(report, "equal steps", equalSteps);
    report.section("Equal time", "Each model trains for the same wall-clock budget (a constant learning rate after"
        + " warmup, since the step count is not known in advance); the last weights are evaluated.");
    ResultTables.llm(report, "equal time", equalTime);
    Path html = report.write(run.out());
    run.say("report: %s", html.toAbsolutePath());
    run.figure("report_written", Files.isRegularFile(html) && Files.isRegularFile(run.file("report.json")) ? "yes"
        : "no");
  }
}
