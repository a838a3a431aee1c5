package org.genai4j.llm.generate;

import java.util.Random;

/** Picks the next token from the model's logits (sampling happens in Java: ND4J has no multinomial op). */
@FunctionalInterface
public interface Sampler {

  /** The chosen token id; all randomness comes from {@code rng}. */
  int sample(float[] logits, Random rng);

  /** Always the most likely token (the first one on ties). */
  static Sampler greedy() {
    return (logits, rng) -> LogitFilters.argmax(logits);
  }

  /**
   * Samples from {@code softmax(logits / temperature)} restricted to the top-k tokens and then to
   * the top-p nucleus; {@code temperature <= 0} means greedy.
   */
  static Sampler of(double temperature, int topK, double topP) {
    if (temperature <= 0) {
      return greedy();
    }
    return new FilteredSampler(temperature, topK, topP);
  }
}
