package org.genai4j.samples.experiments;

import java.util.ArrayList;
import java.util.List;
import org.genai4j.samples.report.Report;

/** Puts experiment results into a report: one table per family, then the pictures and samples. */
public final class ResultTables {
  private ResultTables() {}

  public static void llm(Report report, String caption, List<LlmExperiment.Result> results) {
    List<List<String>> rows = new ArrayList<>();
    for (LlmExperiment.Result r : results) {
      rows.add(List.of(r.name(), String.valueOf(r.parameters()), String.valueOf(r.steps()),
          String.format("%.0f", r.tokensPerSecond()), String.format("%.4f", r.valLoss()),
          String.format("%.4f", r.bitsPerChar())));
    }
    report.table(caption, List.of("model", "parameters", "steps", "train tokens/s", "val loss (nats/token)",
        "val bits/char"), rows);
    for (LlmExperiment.Result r : results) {
      report.image(r.name() + ": loss", r.lossPlot());
      report.text(r.name() + ": generated sample", r.sample());
    }
  }

  public static void images(Report report, String caption, List<ImageExperiment.Result> results) {
    List<List<String>> rows = new ArrayList<>();
    for (ImageExperiment.Result r : results) {
      rows.add(List.of(r.name(), String.valueOf(r.parameters()), String.valueOf(r.steps()),
          String.format("%.0f", r.imagesPerSecond()), String.format("%.2f", r.score().fid()),
          String.format("%.1f", 100 * r.score().minClassFraction()), fmt(r.negElbo()), fmt(r.nllIw())));
    }
    report.table(caption, List.of("model", "parameters", "steps", "train images/s", "FID (classifier features)",
        "min class %", "neg. ELBO (nats)", "IW NLL (nats)"), rows);
    for (ImageExperiment.Result r : results) {
      report.image(r.name() + ": samples", r.grid());
      report.image(r.name() + ": loss", r.lossPlot());
    }
  }

  private static String fmt(double v) {
    return Double.isNaN(v) ? "n/a" : String.format("%.2f", v);
  }
}
