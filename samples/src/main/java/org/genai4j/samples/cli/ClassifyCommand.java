package org.genai4j.samples.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.genai4j.llm.finetune.TextClassifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code genai4j llm classify}: labels texts with a classifier from {@code llm finetune classify}. */
@Command(name = "classify", mixinStandardHelpOptions = true,
    description = "Label a text (or each line of --file) with a fine-tuned classifier: label<TAB>probability.")
public final class ClassifyCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, description = "A run folder of 'llm finetune classify'.") Path model;
  @Option(names = "--file", description = "A UTF-8 file with one text per line; one output line per text.") Path file;
  @Parameters(arity = "0..1", paramLabel = "TEXT", description = "The text to label.") String text;

  @Override
  public Integer call() throws IOException {
    if ((text == null) == (file == null)) {
      throw new IllegalArgumentException("give one text to label, or --file with one text per line (not both)");
    }
    TextClassifier c = TextClassifier.load(model);
    List<String> texts = file == null ? List.of(text) : Files.readAllLines(file, StandardCharsets.UTF_8);
    for (TextClassifier.Prediction p : c.classify(texts)) {
      System.out.printf(Locale.ROOT, "%s\t%.4f%n", p.label(), p.probability());
    }
    return 0;
  }
}
