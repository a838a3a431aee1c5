package org.genai4j.common.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** Runs one task per shard, each on its own thread with its own context on a shared {@link ShardExchange}. */
final class ShardThreads {
  private ShardThreads() {}

  interface ShardTask<T> {
    T run(int shard, StepContext ctx) throws Exception;
  }

  /** The tasks' results in shard order; shard s's rows start at {@code firstRows[s]}. */
  static <T> List<T> run(StepContext base, int[] firstRows, ShardTask<T> task) throws Exception {
    int shards = firstRows.length;
    ShardExchange exchange = new ShardExchange(shards);
    ExecutorService pool = Executors.newFixedThreadPool(shards);
    try {
      List<Future<T>> futures = new ArrayList<>();
      for (int s = 0; s < shards; s++) {
        int shard = s;
        futures.add(pool.submit(() -> {
          try {
            return task.run(shard, base.forShard(shard, firstRows[shard], exchange));
          } catch (Exception | Error e) {
            exchange.abort();
            throw e;
          }
        }));
      }
      List<T> results = new ArrayList<>();
      for (Future<T> f : futures) {
        results.add(f.get());
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }
}
