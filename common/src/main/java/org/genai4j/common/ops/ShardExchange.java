package org.genai4j.common.ops;

import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;

/**
 * Where the shards of one batch, each on its own thread, meet to add up numbers that couple the
 * batch: batch norm's per-channel sums, a loss's count of real tokens. Every shard passes its
 * values and gets back the sum over all shards, added in shard order, so every shard holds the
 * same bits whatever the thread timing. Every shard must make the same calls in the same order.
 */
public final class ShardExchange {
  private final int shards;
  private final CyclicBarrier barrier;
  private final double[][] slots;

  public ShardExchange(int shards) {
    if (shards < 1) {
      throw new IllegalArgumentException("shards must be >= 1, got " + shards);
    }
    this.shards = shards;
    this.barrier = new CyclicBarrier(shards);
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

  /** Releases every shard waiting here with an error: another shard failed. */
  public void abort() {
    barrier.reset();
  }

  private void await() {
    try {
      barrier.await();
    } catch (BrokenBarrierException e) {
      throw new IllegalStateException("another shard of this batch failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      barrier.reset();
      throw new IllegalStateException("interrupted while waiting for the other shards", e);
    }
  }
}
