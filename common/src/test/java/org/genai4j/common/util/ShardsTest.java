package org.genai4j.common.util;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

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
  void runPartsCallsEveryPartOnce() {
    int[] calls = new int[7];
    Shards.runParts(7, k -> {
      synchronized (calls) {
        calls[k]++;
      }
    });
    assertArrayEquals(new int[] {1, 1, 1, 1, 1, 1, 1}, calls);
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
