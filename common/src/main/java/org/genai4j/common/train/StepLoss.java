package org.genai4j.common.train;

import java.util.Map;

/**
 * What a model's training step reports for its part of a batch: the loss and extra scalars to
 * log (e.g. the mean of D(x) in a GAN). When the harness splits a batch over shards, each shard
 * reports its part of the batch's mean (its sum divided by the whole batch's count), so the
 * shards' values add up to the batch's.
 */
public record StepLoss(double loss, Map<String, Double> metrics) {
  public StepLoss {
    metrics = Map.copyOf(metrics);
  }

  public static StepLoss of(double loss) {
    return new StepLoss(loss, Map.of());
  }
}
