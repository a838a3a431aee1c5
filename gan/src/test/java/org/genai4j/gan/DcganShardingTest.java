package org.genai4j.gan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.genai4j.common.ops.Param;
import org.genai4j.common.train.Batch;
import org.genai4j.common.train.LrSchedule;
import org.genai4j.common.train.OptimizerConfig;
import org.genai4j.common.train.StepRecord;
import org.genai4j.common.train.Trainer;
import org.genai4j.common.train.TrainerConfig;
import org.junit.jupiter.api.Test;

/**
 * A training step with the batch split over 2 and 3 threads ({@code TrainerConfig.withThreads})
 * equals the step on one thread: both groups' losses, metrics and gradients, the updated
 * parameters and the batch-norm running statistics of both networks, for batches of 5 (uneven
 * shards, one of a single image) and 6.
 */
class DcganShardingTest {

  /** What one step (D then G) leaves: metrics, each group's summed gradient, parameters, buffers. */
  private static Map<String, float[]> step(DcganConfig c, Batch batch, int threads) {
    Dcgan m = new Dcgan(c, 9);
    // SGD: the update is linear in the gradient, so float noise in the shards' sum stays noise.
    Trainer t = new Trainer(new DcganTrainable(m), OptimizerConfig.sgd(LrSchedule.constant(0.05), 0),
        TrainerConfig.of(1, 4).withThreads(threads));
    StepRecord r = t.fit(rng -> batch);
    Map<String, float[]> out = new TreeMap<>();
    r.metrics().forEach((k, v) -> out.put("metric " + k, new float[] {v.floatValue()}));
    for (Param p : m.params().list()) {
      // The trainer adds the shards' gradients into the model's own (shard 0's) arrays.
      out.put("gradient " + p.name(), p.grad().toArray());
      out.put("value " + p.name(), p.value().toArray());
    }
    m.params().buffers().forEach((k, v) -> out.put("buffer " + k, v.toArray()));
    return out;
  }

  @Test
  void twoAndThreeThreadsEqualOne() {
    DcganConfig c = DcganTest.tiny(28, 1).withLabelSmoothing(0.9);
    for (int n : new int[] {5, 6}) {
      Batch b = new GanBatches(DcganTest.images(c, 4 * n, n), c, n).next(new Random(n));
      Map<String, float[]> one = step(c, b, 1);
      assertTrue(one.containsKey("metric D/d_real") && one.containsKey("metric G/d_fake"), one.keySet().toString());
      for (int threads : new int[] {2, 3}) {
        Map<String, float[]> many = step(c, b, threads);
        String label = "batch " + n + " on " + threads + " threads: ";
        assertEquals(one.keySet(), many.keySet(), label);
        for (var e : one.entrySet()) {
          float[] want = e.getValue();
          float[] got = many.get(e.getKey());
          double rel = relativeDistance(got, want);
          // 1e-4: the generator's last bias gradient (one channel) sums 5 x 784 terms that cancel
          // to about 1/1000 of their size at batch 5, so the shards' other order of float additions
          // shows as up to 4e-5 of its norm (1.4e-10 absolute); any real difference is of order 1.
          assertTrue(rel < 1e-4, label + e.getKey() + " differs by " + rel + " of its norm");
        }
        // The same thread count gives the same bits again.
        Map<String, float[]> again = step(c, b, threads);
        many.forEach((k, v) -> {
          if (!k.startsWith("metric") || !k.endsWith("per_s")) {
            assertArrayEquals(v, again.get(k), label + "rerun " + k);
          }
        });
      }
    }
  }

  static double relativeDistance(float[] got, float[] want) {
    double d = 0;
    double n = 0;
    for (int i = 0; i < want.length; i++) {
      d += ((double) got[i] - want[i]) * ((double) got[i] - want[i]);
      n += (double) want[i] * want[i];
    }
    return Math.sqrt(d) / Math.max(Math.sqrt(n), 1e-12);
  }
}
