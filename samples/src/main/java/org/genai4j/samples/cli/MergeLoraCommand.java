package org.genai4j.samples.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.genai4j.common.train.RunFolder;
import org.genai4j.llm.LlmModel;
import org.genai4j.llm.finetune.LoraGpt;
import org.genai4j.llm.finetune.LoraRun;
import org.genai4j.llm.finetune.TextClassifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code genai4j llm merge-lora}: a LoRA run's adapters folded into its base, as a standalone model. */
@Command(name = "merge-lora", mixinStandardHelpOptions = true,
    description = "Fold the LoRA adapters of a run ('llm finetune classify --lora-rank' or 'llm train --init-from M"
        + " --lora-rank') into its base's weights (W += alpha/r B A) and write a standalone model that computes the"
        + " same and no longer needs the base.")
public final class MergeLoraCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, description = "A run trained with --lora-rank.") Path model;
  @Option(names = "--out", required = true, description = "A new folder for the merged model.") Path out;

  @Override
  public Integer call() {
    boolean classifier = Files.isRegularFile(model.resolve(TextClassifier.FILE));
    if (!LoraRun.isIn(model)) {
      throw new IllegalArgumentException(model + " has no LoRA adapters to merge (no " + LoraRun.FILE + "; train"
          + " with --lora-rank)");
    }
    long parameters;
    if (classifier) {
      TextClassifier merged = TextClassifier.load(model).withLoraMerged();
      try (RunFolder run = RunFolder.open(out, RunFolder.Start.NEW)) {
        run.begin(Map.of(), Map.of(), Set.of(), () -> {});
        merged.save(out);
      }
      parameters = merged.model().params().count();
    } else {
      LlmModel merged = LoraGpt.merged(LlmModel.load(model));
      try (RunFolder run = RunFolder.open(out, RunFolder.Start.NEW)) {
        run.begin(Map.of(), Map.of(), Set.of(), () -> {});
        merged.save(out);
      }
      parameters = merged.parameterCount();
    }
    System.out.printf("merged %s into %s: %,d parameters, no adapters, standalone (no base needed)%n", model, out,
        parameters);
    return 0;
  }
}
