package org.genai4j.common.train;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a {@link ParameterGroup} computes for one batch: the loss, its gradient for each named
 * parameter, and extra scalars to log (e.g. the mean of D(x) in a GAN).
 */
public record Gradients(double loss, Map<String, INDArray> gradients, Map<String, Double> metrics) {
  public Gradients(double loss, Map<String, INDArray> gradients) {
    this(loss, gradients, Map.of());
  }
}
