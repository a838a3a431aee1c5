package org.genai4j.spark;

import java.nio.ByteBuffer;
import java.util.Base64;
import org.apache.spark.BarrierTaskContext;
import org.genai4j.common.ops.ShardExchange;

/**
 * The shards of one batch, each a task of a barrier stage, adding up batch-wide sums (batch norm's
 * per-channel sums, a loss's token count) through {@link BarrierTaskContext#allGather}: every task
 * receives every task's values ordered by partition, and adds them in that order from zero as the
 * local {@link ShardExchange} does, so every shard holds the same bits as it would on threads.
 */
final class BarrierExchange extends ShardExchange {
  private final BarrierTaskContext context;

  BarrierExchange(BarrierTaskContext context, int shards) {
    super(shards);
    this.context = context;
  }

  @Override
  public void sum(int shard, double[] values) {
    if (shards() == 1) {
      return;
    }
    String[] all = context.allGather(encode(values));
    if (all.length != shards()) {
      throw new IllegalStateException("expected values from " + shards() + " shards, got " + all.length);
    }
    double[] total = new double[values.length];
    for (String message : all) {
      double[] s = decode(message);
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

  @Override
  public void abort() {
    // A failed task fails its barrier stage: Spark stops the other tasks and retries the stage.
  }

  private static String encode(double[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * Double.BYTES);
    b.asDoubleBuffer().put(values);
    return Base64.getEncoder().encodeToString(b.array());
  }

  private static double[] decode(String message) {
    ByteBuffer b = ByteBuffer.wrap(Base64.getDecoder().decode(message));
    double[] v = new double[b.remaining() / Double.BYTES];
    b.asDoubleBuffer().get(v);
    return v;
  }
}
