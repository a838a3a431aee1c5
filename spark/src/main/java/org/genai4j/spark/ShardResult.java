package org.genai4j.spark;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What tasks send back, alone or summed: the loss and metrics (each shard's part of the batch's
 * mean, so they add up), the gradients in the group's parameter order, the model's buffers after
 * shard 0's pass (batch-norm running statistics, which shard 0 updates) and the longest task's
 * compute time. {@link #add} is the sum Spark's aggregation applies.
 */
final class ShardResult implements Serializable {
  int shards;
  double loss;
  Map<String, Double> metrics = new LinkedHashMap<>();
  float[][] gradients;
  float[][] buffers;
  double computeSeconds;

  /** The sum of nothing (the aggregation's zero). */
  static ShardResult empty() {
    return new ShardResult();
  }

  /** Adds {@code other} into this result and returns this. */
  ShardResult add(ShardResult other) {
    if (other.shards == 0) {
      return this;
    }
    if (shards == 0) {
      return other;
    }
    shards += other.shards;
    loss += other.loss;
    other.metrics.forEach((k, v) -> metrics.merge(k, v, Double::sum));
    for (int i = 0; i < gradients.length; i++) {
      float[] into = gradients[i];
      float[] from = other.gradients[i];
      for (int j = 0; j < into.length; j++) {
        into[j] += from[j];
      }
    }
    if (buffers == null) {
      buffers = other.buffers;
    }
    computeSeconds = Math.max(computeSeconds, other.computeSeconds);
    return this;
  }
}
