package org.genai4j.samples.tutorial;

import java.util.List;
import java.util.stream.Collectors;

/** The tutorial's chapters in order; {@code ./genai4j tutorial --list} prints them. */
public final class Chapters {
  private Chapters() {}

  /** Every chapter, in the order of their numbers. */
  public static List<Chapter> all() {
    return List.of(
        new TextToTokens(),
        new SelfAttentionByHand(),
        new PositionalEncodings(),
        new GptBlockAndModel(),
        new Training(),
        new Generation(),
        new Evaluation(),
        new PretrainedWeights(),
        new FineTuning(),
        new Gan(),
        new VariationalAutoencoder(),
        new ComparingModels());
  }

  /** Chapter {@code n}; a one-line error listing the chapters otherwise. */
  public static Chapter get(int n) {
    return all().stream().filter(c -> c.number() == n).findFirst().orElseThrow(() -> new IllegalArgumentException(
        "there is no chapter " + n + "; the chapters are " + all().stream().map(c -> String.valueOf(c.number()))
            .collect(Collectors.joining(", ")) + " (see 'genai4j tutorial --list')"));
  }
}
