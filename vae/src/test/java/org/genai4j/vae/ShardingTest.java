package org.genai4j.vae;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.genai4j.common.ops.Param;
import org.genai4j.common.train.TrainingResult;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A batch split over 2 or 3 threads (7 images: 4 + 3 and 3 + 2 + 2 rows) trains the same model as
 * one thread: the noise belongs to the image's row in the batch, the losses' counts are summed over
 * the shards, and the shards' gradients add up to the batch's.
 */
class ShardingTest {

  @Test
  void mlpWithWarmupOnTwoAndThreeThreadsEqualsOne() {
    check(new VaeConfig(VaeConfig.Arch.MLP, 1, 8, 8, List.of(12), 3, VaeConfig.Likelihood.BERNOULLI, 0, 1, 6));
  }

  @Test
  void convWithLearnedVariancesOnTwoAndThreeThreadsEqualsOne() {
    check(new VaeConfig(VaeConfig.Arch.CONV, 1, 8, 8, List.of(3, 4), 2, VaeConfig.Likelihood.GAUSSIAN_LEARNED, 0, 1,
        0));
  }

  static void check(VaeConfig config) {
    INDArray images = TrainingTest.rectangles(14, 5);
    TrainingResult<Vae> one = train(config, images, 1);
    for (int threads : new int[] {2, 3}) {
      TrainingResult<Vae> many = train(config, images, threads);
      Map<String, Double> m1 = one.last().metrics();
      Map<String, Double> mn = many.last().metrics();
      for (String k : List.of("loss", "vae/recon", "vae/kl")) {
        assertEquals(m1.get(k), mn.get(k), 1e-5 * Math.abs(m1.get(k)), threads + " threads, " + k);
      }
      if (config.klWarmupSteps() > 0) {
        assertEquals(m1.get("vae/kl_weight"), mn.get("vae/kl_weight"), 1e-12, threads + " threads, the KL weight");
      }
      for (Param p : one.model().params().list()) {
        float[] a = p.value().toArray();
        float[] b = many.model().params().get(p.name()).value().toArray();
        for (int i = 0; i < a.length; i++) {
          assertEquals(a[i], b[i], 1e-5, threads + " threads, " + p.name() + "[" + i + "]");
        }
      }
    }
  }

  /** 2 epochs of 2 steps, batch 7 (the first and last steps of an epoch). */
  private static TrainingResult<Vae> train(VaeConfig config, INDArray images, int threads) {
    return VaeTraining.train(images, null, config, new VaeTrainOptions(2, 7, 1e-2, 3, threads, null, false, false));
  }
}
