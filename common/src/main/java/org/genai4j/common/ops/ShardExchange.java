package org.genai4j.common.ops;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Where the shards of one batch, each on its own thread, meet to add up numbers that couple the
 * batch: batch norm's per-channel sums, a loss's count of real tokens. Every shard passes its
 * values and gets back the sum over all shards, added in shard order, so every shard holds the
 * same bits whatever the thread timing. Every shard must make the same calls in the same order.
 * Shards in other processes (tasks of a cluster job) meet through a subclass that overrides {@link
 * #sum} and {@link #abort}.
 */
public class ShardExchange {
  private final int shards;
  private final double[][] slots;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition arrived = lock.newCondition();
  private int waiting;
  private long generation;
  private boolean aborted;

  public ShardExchange(int shards) {
    if (shards < 1) {
      throw new IllegalArgumentException("shards must be >= 1, got " + shards);
    }
    this.shards = shards;
    this.slots = new double[shards][];
  }

  public int shards() {
    return shards;
  }

  /** Replaces {@code values} by their sum over all shards; blocks until every shard has called. */
  public void sum(int shard, double[] values) {
    if (shards == 1) {
      return;
    }
    slots[shard] = values;
    await();
    double[] total = new double[values.length];
    for (double[] s : slots) {
      if (s.length != values.length) {
        throw new IllegalStateException("shards exchanged arrays of different lengths: " + s.length + " and "
            + values.length);
      }
      for (int i = 0; i < total.length; i++) {
        total[i] += s[i];
      }
    }
    // Nobody overwrites their array before everybody has read all of them.
    await();
    System.arraycopy(total, 0, values, 0, total.length);
  }

  /**
   * Releases every shard waiting here, now or later, with an error: another shard failed, so
   * they would wait for ever.
   */
  public void abort() {
    lock.lock();
    try {
      aborted = true;
      arrived.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Waits until every shard has arrived here (a barrier that {@link #abort} breaks for good). */
  private void await() {
    lock.lock();
    try {
      checkAborted();
      long gen = generation;
      if (++waiting == shards) {
        waiting = 0;
        generation++;
        arrived.signalAll();
        return;
      }
      while (gen == generation && !aborted) {
        arrived.await();
      }
      checkAborted();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      aborted = true;
      arrived.signalAll();
      throw new IllegalStateException("interrupted while waiting for the other shards", e);
    } finally {
      lock.unlock();
    }
  }

  private void checkAborted() {
    if (aborted) {
      throw new IllegalStateException("another shard of this batch failed");
    }
  }
}
