package org.genai4j.llm.generate;

import java.util.Arrays;

/** Which tokens top-k and top-p (nucleus) sampling keep, and the resulting probabilities. */
public final class LogitFilters {
  private LogitFilters() {}

  public static int argmax(float[] logits) {
    int best = 0;
    for (int i = 1; i < logits.length; i++) {
      if (logits[i] > logits[best]) {
        best = i;
      }
    }
    return best;
  }

  /**
   * Keeps the {@code k} largest logits (and any tied with the k-th, as nanoGPT); {@code k <= 0}
   * or {@code k >= logits.length} keeps all. Returns which tokens are kept.
   */
  public static boolean[] topK(float[] logits, int k) {
    boolean[] keep = new boolean[logits.length];
    if (k <= 0 || k >= logits.length) {
      Arrays.fill(keep, true);
      return keep;
    }
    float[] sorted = logits.clone();
    Arrays.sort(sorted);
    float threshold = sorted[sorted.length - k];
    for (int i = 0; i < logits.length; i++) {
      keep[i] = logits[i] >= threshold;
    }
    return keep;
  }

  /**
   * Softmax of {@code logits / temperature} over the kept tokens (others get probability 0).
   */
  public static double[] probabilities(float[] logits, boolean[] keep, double temperature) {
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < logits.length; i++) {
      if (keep[i]) {
        max = Math.max(max, logits[i] / temperature);
      }
    }
    double[] p = new double[logits.length];
    double sum = 0;
    for (int i = 0; i < logits.length; i++) {
      if (keep[i]) {
        p[i] = Math.exp(logits[i] / temperature - max);
        sum += p[i];
      }
    }
    for (int i = 0; i < p.length; i++) {
      p[i] /= sum;
    }
    return p;
  }

  /**
   * Nucleus filtering: of the tokens with {@code probs > 0}, keeps the most likely ones, in order,
   * until their total probability reaches {@code topP} (at least one token); {@code topP >= 1}
   * keeps all of them.
   */
  public static boolean[] topP(double[] probs, double topP) {
    boolean[] keep = new boolean[probs.length];
    Integer[] order = new Integer[probs.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Double.compare(probs[b], probs[a]));
    double cumulative = 0;
    for (int i : order) {
      if (probs[i] <= 0) {
        break;
      }
      keep[i] = true;
      cumulative += probs[i];
      if (topP < 1 && cumulative >= topP) {
        break;
      }
    }
    return keep;
  }
}
