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
  /** Two sets of slots, used by alternate calls: see {@link #sum}. */
  private final double[][][] slots;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition arrived = lock.newCondition();
  private final java.util.concurrent.atomic.AtomicInteger waiting = new java.util.concurrent.atomic.AtomicInteger();
  private volatile long generation;
  private volatile boolean aborted;
  /** Calls to {@link #sum} per shard so far, to pick the set of slots; each shard counts its own. */
  private final long[] calls;

  public ShardExchange(int shards) {
    if (shards < 1) {
      throw new IllegalArgumentException("shards must be >= 1, got " + shards);
    }
    this.shards = shards;
    this.slots = new double[2][shards][];
    this.calls = new long[shards];
  }

  public int shards() {
    return shards;
  }

  /**
   * Replaces {@code values} by their sum over all shards; blocks until every shard has called.
   *
   * <p>One barrier per call: alternate calls use alternate sets of slots, and a shard can only
   * write a set again two calls later, after the next call's barrier, which no shard passes
   * before every shard has finished reading this call's set.
   */
  public void sum(int shard, double[] values) {
    if (shards == 1) {
      return;
    }
    double[][] set = slots[(int) (calls[shard]++ & 1)];
    // A copy: this shard overwrites values with the total below while others may still read the set.
    set[shard] = values.clone();
    await();
    double[] total = new double[values.length];
    for (double[] s : set) {
      if (s.length != values.length) {
        throw new IllegalStateException("shards exchanged arrays of different lengths: " + s.length + " and "
            + values.length);
      }
      for (int i = 0; i < total.length; i++) {
        total[i] += s[i];
      }
    }
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

  /**
   * Waits until every shard has arrived here (a barrier that {@link #abort} breaks for good):
   * spinning for a moment first, since shards of one step arrive within microseconds of each
   * other and waking a sleeping thread costs tens of them.
   */
  private void await() {
    checkAborted();
    long gen = generation;
    if (waiting.incrementAndGet() == shards) {
      waiting.set(0);
      lock.lock();
      try {
        generation = gen + 1;
        arrived.signalAll();
      } finally {
        lock.unlock();
      }
      return;
    }
    long deadline = System.nanoTime() + org.genai4j.common.util.Parallel.SPIN_NANOS;
    while (generation == gen && !aborted && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    lock.lock();
    try {
      while (generation == gen && !aborted) {
        arrived.await();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      aborted = true;
      arrived.signalAll();
      throw new IllegalStateException("interrupted while waiting for the other shards", e);
    } finally {
      lock.unlock();
    }
    checkAborted();
  }

  private void checkAborted() {
    if (aborted) {
      throw new IllegalStateException("another shard of this batch failed");
    }
  }
}
