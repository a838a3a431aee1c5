package org.genai4j.vae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.genai4j.common.ops.Tensor;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The model's analytic KL(q(z|x) || N(0, I)) per image against a Monte Carlo estimate of E_q[log q - log p]. */
class KlDivergenceTest {

  @Test
  void analyticKlMatchesMonteCarlo() {
    VaeConfig config = VaeConfig.mlp(1, 3, 3, List.of(8), 3);
    Vae vae = Vae.create(config, 11);
    // Spread the posterior so the KL is far from 0 and the check is not trivial: the head's mu rows
    // (the first 3 of its 6 outputs) times 6, its log-variance biases minus 1.5.
    Tensor w = vae.params().get("encoder.2.weight").value();
    for (int i = 0; i < 3 * 8; i++) {
      w.set(i, 6 * w.get(i));
    }
    Tensor b = vae.params().get("encoder.2.bias").value();
    for (int j = 3; j < 6; j++) {
      b.set(j, b.get(j) - 1.5f);
    }
    Nd4j.getRandom().setSeed(4);
    INDArray x = Nd4j.rand(DataType.FLOAT, 4, 9);
    INDArray posterior = vae.posterior(x);
    double[] analytic = vae.score(x, 1).kl();
    Random rng = new Random(5);
    int samples = 100_000;
    for (int i = 0; i < 4; i++) {
      double sum = 0;
      double sumSq = 0;
      for (int s = 0; s < samples; s++) {
        double logRatio = 0;
        for (int j = 0; j < 3; j++) {
          double mu = posterior.getDouble(i, j);
          double lv = posterior.getDouble(i, 3 + j);
          double e = rng.nextGaussian();
          double z = mu + Math.exp(0.5 * lv) * e;
          double logQ = -0.5 * Math.log(2 * Math.PI) - 0.5 * lv - 0.5 * e * e;
          double logP = -0.5 * Math.log(2 * Math.PI) - 0.5 * z * z;
          logRatio += logQ - logP;
        }
        sum += logRatio;
        sumSq += logRatio * logRatio;
      }
      double mc = sum / samples;
      double stdErr = Math.sqrt((sumSq / samples - mc * mc) / samples);
      assertTrue(analytic[i] > 0.5, "KL should be clearly positive here, got " + analytic[i]);
      assertEquals(mc, analytic[i], 5 * stdErr + 1e-5, "image " + i + ": analytic " + analytic[i] + " MC " + mc);
    }
  }
}
