package org.genai4j.common.train;

import java.util.Map;

/** Periodic evaluation (e.g. validation loss); lower is better for the metric that picks the best checkpoint. */
@FunctionalInterface
public interface Evaluator {
  Map<String, Double> evaluate();
}
