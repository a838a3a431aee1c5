package org.genai4j.common.ops;

import java.util.SplittableRandom;

/**
 * What a forward or backward pass knows about the step it runs in: the step and epoch, whether
 * it is training (dropout on, batch statistics) or inferring, and which shard of the batch it
 * computes when the harness splits a batch over threads.
 *
 * <p>Randomness is a pure function of (seed, step, stream, example): an op draws from {@link
 * #random} with a stream number of its own and the example's row in the whole batch, so a batch
 * split over any number of shards draws the same numbers, and a resumed run the same as an
 * uninterrupted one.
 *
 * @param seed the run's seed
 * @param step the optimizer step (0-based)
 * @param epoch the epoch the step belongs to (0 when the data has no epochs)
 * @param training whether this pass trains
 * @param shard this shard's index, {@code 0 <= shard < shards}
 * @param shards how many shards the batch is split into
 * @param firstRow the row (example) of the whole batch where this shard's rows start
 * @param exchange where shards add up batch-wide sums ({@link #allReduceSum})
 */
public record StepContext(long seed, long step, long epoch, boolean training, int shard, int shards, int firstRow,
    ShardExchange exchange) {

  private static final ShardExchange ALONE = new ShardExchange(1);

  public StepContext {
    if (shards < 1 || shard < 0 || shard >= shards) {
      throw new IllegalArgumentException("shard " + shard + " of " + shards);
    }
    if (exchange == null || exchange.shards() != shards) {
      throw new IllegalArgumentException("the exchange must connect " + shards + " shards");
    }
  }

  /** A pass outside training (evaluation, sampling, generation): no dropout, running statistics. */
  public static StepContext inference() {
    return new StepContext(0, 0, 0, false, 0, 1, 0, ALONE);
  }

  /** A training pass over a whole batch on one thread. */
  public static StepContext training(long seed, long step) {
    return new StepContext(seed, step, 0, true, 0, 1, 0, ALONE);
  }

  /** This context for shard {@code shard} of {@code exchange.shards()}, whose rows start at {@code firstRow}. */
  public StepContext forShard(int shard, int firstRow, ShardExchange exchange) {
    return new StepContext(seed, step, epoch, training, shard, exchange.shards(), firstRow, exchange);
  }

  /** This context in another epoch. */
  public StepContext withEpoch(long e) {
    return new StepContext(seed, step, e, training, shard, shards, firstRow, exchange);
  }

  /**
   * A generator for example {@code row} of this shard (its row in the whole batch is {@code
   * firstRow + row}) in random stream {@code stream} (a number an op or model picks for each use).
   */
  public SplittableRandom random(long stream, int row) {
    return new SplittableRandom(Params.mix(Params.mix(seed, step), Params.mix(stream, firstRow + row)));
  }

  /** Replaces {@code values} by their sum over all shards of the batch (added in shard order). */
  public void allReduceSum(double[] values) {
    exchange.sum(shard, values);
  }

  /** The sum of {@code value} over all shards of the batch. */
  public double allReduceSum(double value) {
    double[] v = {value};
    exchange.sum(shard, v);
    return v[0];
  }
}
