package org.genai4j.llm.generate;

import java.util.Random;

/** Temperature, then top-k, then top-p (nucleus) filtering, then one draw from what is left. */
final class FilteredSampler implements Sampler {

  private final double temperature;
  private final int topK;
  private final double topP;

  FilteredSampler(double temperature, int topK, double topP) {
    if (!(temperature > 0)) throw new IllegalArgumentException("temperature must be > 0 for sampling, got " + temperature);
    if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
    this.temperature = temperature;
    this.topK = topK;
    this.topP = topP;
  }

  @Override
  public int sample(float[] logits, Random rng) {
    double[] p = LogitFilters.probabilities(logits, LogitFilters.topK(logits, topK), temperature);
    if (topP < 1) {
      p = LogitFilters.probabilities(logits, LogitFilters.topP(p, topP), temperature);
    }
    double u = rng.nextDouble();
    double cumulative = 0;
    int last = 0;
    for (int i = 0; i < p.length; i++) {
      if (p[i] > 0) {
        cumulative += p[i];
        last = i;
        if (u < cumulative) {
          return i;
        }
      }
    }
    return last; // rounding left u just above the total
  }
}
