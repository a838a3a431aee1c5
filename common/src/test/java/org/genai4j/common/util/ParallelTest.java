package org.genai4j.common.util;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ParallelTest {

  @Test
  void boundsSplitRowsEvenlyFirstPartsLarger() {
    assertArrayEquals(new int[] {0, 6, 12}, Parallel.bounds(12, 2));
    assertArrayEquals(new int[] {0, 3, 5, 7}, Parallel.bounds(7, 3));
    assertArrayEquals(new int[] {0, 5}, Parallel.bounds(5, 1));
    assertThrows(IllegalArgumentException.class, () -> Parallel.bounds(2, 3));
  }

  @Test
  void runCallsEveryTaskOnceOnSeparateThreadsAtOnce() {
    Set<Integer> seen = ConcurrentHashMap.newKeySet();
    Set<Thread> threads = ConcurrentHashMap.newKeySet();
    CountDownLatch allRunning = new CountDownLatch(3);
    Parallel.of(3).run(3, s -> {
      assertTrue(seen.add(s));
      threads.add(Thread.currentThread());
      allRunning.countDown();
      try {
        // Only returns when all three tasks run at the same time.
        assertTrue(allRunning.await(30, TimeUnit.SECONDS), "tasks did not run concurrently");
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    assertEquals(Set.of(0, 1, 2), seen);
    assertEquals(3, threads.size());
    assertTrue(threads.contains(Thread.currentThread()), "task 0 runs on the caller");
  }

  @Test
  void theFirstFailureIsRethrownAfterOnFailureReleasedTheOthers() {
    CountDownLatch released = new CountDownLatch(1);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallel.of(2).run(2, s -> {
      if (s == 1) {
        throw new IllegalStateException("task one broke");
      }
      try {
        // Task 0 waits for the release that onFailure gives, then fails as a consequence.
        assertTrue(released.await(30, TimeUnit.SECONDS));
      } catch (InterruptedException ex) {
        throw new IllegalStateException(ex);
      }
      throw new IllegalStateException("released");
    }, released::countDown));
    assertEquals("task one broke", e.getMessage());
  }

  @Test
  void moreTasksThanThreadsIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> Parallel.of(2).run(3, s -> {}));
    assertThrows(IllegalArgumentException.class, () -> Parallel.of(0));
  }

  @Test
  void forEachBalancedCallsEveryItemOnce() {
    int[] calls = new int[7];
    Parallel.of(2).forEachBalanced(new long[] {5, 1, 9, 2, 2, 8, 3}, k -> {
      synchronized (calls) {
        calls[k]++;
      }
    });
    assertArrayEquals(new int[] {1, 1, 1, 1, 1, 1, 1}, calls);
  }

  @Test
  void manyRunsInARowAndRunsInsideTasksFinish() {
    Parallel two = Parallel.of(2);
    long[] sum = new long[2];
    for (int r = 0; r < 2000; r++) {
      int round = r;
      two.run(2, i -> sum[i] += round);
    }
    assertArrayEquals(new long[] {1999000, 1999000}, sum);
    // A task that runs tasks of its own gets workers of its own (the pool grows).
    int[] inner = new int[4];
    two.run(2, i -> two.run(2, j -> inner[2 * i + j]++));
    assertArrayEquals(new int[] {1, 1, 1, 1}, inner);
  }
}
