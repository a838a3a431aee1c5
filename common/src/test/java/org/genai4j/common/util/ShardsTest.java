package org.genai4j.common.util;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ShardsTest {

  @Test
  void boundsSplitRowsEvenlyFirstShardsLarger() {
    assertArrayEquals(new int[] {0, 6, 12}, Shards.bounds(12, 2));
    assertArrayEquals(new int[] {0, 3, 5, 7}, Shards.bounds(7, 3));
    assertArrayEquals(new int[] {0, 5}, Shards.bounds(5, 1));
    assertThrows(IllegalArgumentException.class, () -> Shards.bounds(2, 3));
    assertEquals(1, Shards.countFor(1));
  }

  @Test
  void runCallsEveryShardOnceOnSeparateThreadsAndRethrows() {
    Set<Integer> seen = ConcurrentHashMap.newKeySet();
    Set<Thread> threads = ConcurrentHashMap.newKeySet();
    CountDownLatch allRunning = new CountDownLatch(3);
    Shards.run(3, s -> {
      assertTrue(seen.add(s));
      threads.add(Thread.currentThread());
      allRunning.countDown();
      try {
        // Only returns when all three shards run at the same time.
        assertTrue(allRunning.await(30, TimeUnit.SECONDS), "shards did not run concurrently");
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    assertEquals(Set.of(0, 1, 2), seen);
    assertEquals(3, threads.size());
    assertTrue(threads.contains(Thread.currentThread()), "shard 0 runs on the caller");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> Shards.run(2, s -> {
      if (s == 1) throw new IllegalStateException("shard one broke");
    }));
    assertEquals("shard one broke", e.getMessage());
  }

  @Test
  void sumIntoAddsEveryShardInShardZero() {
    List<Map<String, INDArray>> shards = new ArrayList<>();
    for (int s = 0; s < 3; s++) {
      Map<String, INDArray> g = new LinkedHashMap<>();
      g.put("a", Nd4j.valueArrayOf(new long[] {4, 5}, s + 1.0, DataType.FLOAT));
      g.put("b", Nd4j.valueArrayOf(new long[] {7}, 10.0 * (s + 1), DataType.DOUBLE));
      g.put("c", Nd4j.valueArrayOf(new long[] {2, 2}, -s, DataType.FLOAT));
      shards.add(g);
    }
    // A large array (several pieces and a tail) with random values, and a view (the ND4J fallback).
    Nd4j.getRandom().setSeed(5);
    List<INDArray> big = new ArrayList<>();
    for (int s = 0; s < 3; s++) {
      INDArray r = Nd4j.rand(DataType.FLOAT, 300, 337);
      big.add(r);
      shards.get(s).put("big", r.dup());
      shards.get(s).put("view", Nd4j.rand(DataType.FLOAT, 6, 5).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 4),
          org.nd4j.linalg.indexing.NDArrayIndex.all()));
    }
    INDArray expectedView = shards.get(0).get("view").add(shards.get(1).get("view")).addi(shards.get(2).get("view"));
    Shards.sumInto(shards);
    INDArray expectedBig = big.get(0).add(big.get(1)).addi(big.get(2));
    assertEquals(0.0, expectedBig.sub(shards.get(0).get("big")).amaxNumber().doubleValue(), 1e-6);
    assertEquals(0.0, expectedView.sub(shards.get(0).get("view")).amaxNumber().doubleValue(), 1e-6);
    assertEquals(6.0, shards.get(0).get("a").meanNumber().doubleValue(), 1e-6);
    assertEquals(60.0, shards.get(0).get("b").meanNumber().doubleValue(), 1e-9);
    assertEquals(-3.0, shards.get(0).get("c").meanNumber().doubleValue(), 1e-6);
    assertEquals(2.0, shards.get(1).get("a").meanNumber().doubleValue(), 1e-6, "other shards unchanged");
  }

  @Test
  void countCanBeSetAndRestored() {
    try {
      Shards.setCount(3);
      assertEquals(3, Shards.count());
      assertEquals(2, Shards.countFor(2));
    } finally {
      Shards.setCount(0);
    }
    assertThrows(IllegalArgumentException.class, () -> Shards.setCount(-1));
  }
}
