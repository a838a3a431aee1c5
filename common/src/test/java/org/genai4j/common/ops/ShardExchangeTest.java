package org.genai4j.common.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.genai4j.common.util.Parallel;
import org.junit.jupiter.api.Test;

class ShardExchangeTest {

  @Test
  void everyShardGetsEveryCallsSumThroughManyCallsInARow() {
    for (int shards : new int[] {2, 3}) {
      ShardExchange exchange = new ShardExchange(shards);
      int calls = 3000;
      double[][] got = new double[shards][calls];
      Parallel.of(shards).run(shards, s -> {
        for (int c = 0; c < calls; c++) {
          // Uneven work between calls, so that shards run ahead of each other.
          double[] v = {s + c, (s + 1) * 0.5};
          if ((c + s) % 7 == 0) {
            Thread.onSpinWait();
          }
          exchange.sum(s, v);
          got[s][c] = v[0] + 1000 * v[1];
        }
      });
      double[] expected = new double[calls];
      for (int c = 0; c < calls; c++) {
        double a = 0;
        double b = 0;
        for (int s = 0; s < shards; s++) {
          a += s + c;
          b += (s + 1) * 0.5;
        }
        expected[c] = a + 1000 * b;
      }
      for (int s = 0; s < shards; s++) {
        assertArrayEquals(expected, got[s], 0.0, shards + " shards, shard " + s);
      }
    }
  }

  @Test
  void aFailedShardReleasesTheOthers() {
    ShardExchange exchange = new ShardExchange(2);
    assertThrows(IllegalStateException.class, () -> Parallel.of(2).run(2, s -> {
      if (s == 0) {
        throw new IllegalStateException("shard 0 failed");
      }
      exchange.sum(s, new double[] {1});
    }, exchange::abort));
  }
}
