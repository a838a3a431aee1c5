package org.genai4j.llm.model;

import org.genai4j.common.nn.Init;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;

/** Small SameDiff pieces the GPT needs beyond common's {@code Layers}. */
final class GraphOps {
  private GraphOps() {}

  /** Layer norm over the last axis of {@code [N, dim]}, with a bias only when {@code bias}. */
  static SDVariable layerNorm(SameDiff sd, String name, SDVariable x2d, long dim, boolean bias) {
    SDVariable gain = sd.var(name + "/g", Init.ones(dim));
    if (!bias) {
      return sd.nn.layerNorm(x2d, gain, false, 1);
    }
    return sd.nn.layerNorm(x2d, gain, sd.var(name + "/b", Init.zeros(dim)), false, 1);
  }

  /**
   * Inverted dropout: zeroes each element with probability {@code p} and scales the rest by
   * {@code 1/(1-p)}. A Bernoulli mask times the input, so the gradient is the same mask.
   */
  static SDVariable dropout(SameDiff sd, SDVariable x, double p, long... shape) {
    if (p <= 0) {
      return x;
    }
    SDVariable keep = sd.random.bernoulli(1 - p, DataType.FLOAT, shape);
    return x.mul(keep).mul(1.0 / (1 - p));
  }
}
