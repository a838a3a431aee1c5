package org.genai4j.spark;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import org.genai4j.common.train.Batch;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One task's part of a batch: shard {@code shard} of {@code shards}, the rows {@code [firstRow,
 * firstRow + examples)} of the whole batch, as the local trainer splits it over threads.
 */
record ShardInput(int shard, int shards, int firstRow, int examples, long units, Map<String, HostArray> arrays)
    implements Serializable {

  /** The rows {@code [from, to)} of {@code batch} as shard {@code shard} of {@code shards}. */
  static ShardInput of(Batch batch, int shard, int shards, int from, int to) {
    Batch part = batch.slice(from, to);
    Map<String, HostArray> arrays = new LinkedHashMap<>();
    part.arrays().forEach((name, a) -> arrays.put(name, HostArray.of("batch array '" + name + "'", a)));
    return new ShardInput(shard, shards, from, to - from, part.units(), arrays);
  }

  /** The shard as a batch on this JVM. */
  Batch toBatch() {
    Map<String, INDArray> m = new LinkedHashMap<>();
    arrays.forEach((name, a) -> m.put(name, a.toArray()));
    return new Batch(m, examples, units);
  }
}
