package org.genai4j.vae;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.genai4j.common.train.Batch;
import org.genai4j.common.train.Gradients;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Central-difference gradient checks in DOUBLE through the whole VAE loss, including the
 * reparameterized sample z = mu + sigma * eps (eps fixed per check).
 */
class GradientCheckTest {

  @Test
  void mlpBernoulli() {
    check(new VaeConfig(VaeConfig.Arch.MLP, 1, 4, 4, List.of(6), 3, VaeConfig.Likelihood.BERNOULLI, 0, 1, 0));
  }

  @Test
  void mlpGaussianLearnedWithBeta() {
    check(new VaeConfig(VaeConfig.Arch.MLP, 1, 3, 3, List.of(5, 4), 2, VaeConfig.Likelihood.GAUSSIAN_LEARNED, 0, 0.7, 0));
  }

  @Test
  void mlpGaussianFixed() {
    check(new VaeConfig(VaeConfig.Arch.MLP, 2, 2, 2, List.of(5), 2, VaeConfig.Likelihood.GAUSSIAN_FIXED, 0.3, 1, 0));
  }

  @Test
  void convBernoulli() {
    check(new VaeConfig(VaeConfig.Arch.CONV, 1, 4, 4, List.of(2, 3), 2, VaeConfig.Likelihood.BERNOULLI, 0, 1, 0));
  }

  @Test
  void convGaussianLearned() {
    check(new VaeConfig(VaeConfig.Arch.CONV, 1, 4, 4, List.of(2), 2, VaeConfig.Likelihood.GAUSSIAN_LEARNED, 0, 1, 0));
  }

  static void check(VaeConfig config) {
    Vae vae = new Vae(config, 7, DataType.DOUBLE);
    Random r = new Random(3);
    int n = 3;
    INDArray x = Nd4j.create(DataType.DOUBLE, n, config.inputSize());
    for (int i = 0; i < x.length(); i++) {
      x.putScalar(i, r.nextDouble());
    }
    INDArray eps = Nd4j.randn(DataType.DOUBLE, n, config.latent());
    Batch batch = Batch.of(Map.of("x", x, "eps", eps), n);
    Gradients g = vae.group().computeGradients(batch);
    double h = 1e-6;
    int checked = 0;
    double worst = 0;
    for (var e : vae.group().parameters().entrySet()) {
      INDArray p = e.getValue();
      INDArray grad = g.gradients().get(e.getKey());
      for (int t = 0; t < Math.min(6, p.length()); t++) {
        long i = (long) r.nextInt((int) p.length());
        double orig = p.getDouble(i);
        p.putScalar(i, orig + h);
        double up = loss(vae, batch);
        p.putScalar(i, orig - h);
        double down = loss(vae, batch);
        p.putScalar(i, orig);
        double numeric = (up - down) / (2 * h);
        double analytic = grad.getDouble(i);
        double rel = Math.abs(numeric - analytic) / Math.max(1e-6, Math.abs(numeric) + Math.abs(analytic));
        worst = Math.max(worst, rel);
        assertTrue(rel < 1e-4 || Math.abs(numeric - analytic) < 1e-7,
            e.getKey() + "[" + i + "]: analytic " + analytic + " numeric " + numeric);
        checked++;
      }
    }
    assertTrue(checked > 10, "checked " + checked + " entries");
  }

  private static double loss(Vae vae, Batch batch) {
    return vae.group().loss(batch);
  }
}
