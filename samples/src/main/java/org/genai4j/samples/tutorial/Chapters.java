package org.genai4j.samples.tutorial;

import java.util.List;

/** The tutorial's chapters in order; {@code ./genai4j tutorial --list} prints them. */
public final class Chapters {
  private Chapters() {}

  /** Every chapter, numbered 1, 2, ... in this order. */
  public static List<Chapter> all() {
    return List.of(
        new TextToTokens(),
        new SelfAttentionByHand(),
        new PositionalEncodings(),
        new GptBlockAndModel(),
        new Training(),
        new Generation(),
        new Evaluation());
  }

  /** Chapter {@code n}; a one-line error listing the range otherwise. */
  public static Chapter get(int n) {
    List<Chapter> all = all();
    if (n < 1 || n > all.size()) {
      throw new IllegalArgumentException("there is no chapter " + n + "; the tutorial has chapters 1 to " + all.size()
          + " (see 'genai4j tutorial --list')");
    }
    return all.get(n - 1);
  }
}
