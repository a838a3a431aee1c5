package org.genai4j.samples.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.genai4j.common.train.RunFolder;
import org.genai4j.llm.finetune.TextClassifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code genai4j llm merge-lora}: a fine-tuned classifier's LoRA adapters folded into its weights. */
@Command(name = "merge-lora", mixinStandardHelpOptions = true,
    description = "Fold the LoRA adapters of a 'llm finetune classify --lora-rank' run into its weights (W += alpha/r"
        + " B A) and write a classifier without adapters that computes the same.")
public final class MergeLoraCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, description = "A classifier run trained with --lora-rank.") Path model;
  @Option(names = "--out", required = true, description = "A new folder for the merged classifier.") Path out;

  @Override
  public Integer call() {
    TextClassifier merged = TextClassifier.load(model).withLoraMerged();
    try (RunFolder run = RunFolder.open(out, RunFolder.Start.NEW)) {
      run.begin(Map.of(), Map.of(), Set.of(), () -> {});
      merged.save(out);
    }
    System.out.printf("merged %s into %s: %,d parameters, no adapters%n", model, out,
        merged.model().params().count());
    return 0;
  }
}
