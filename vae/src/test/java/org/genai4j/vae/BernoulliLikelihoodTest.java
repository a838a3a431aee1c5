package org.genai4j.vae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.genai4j.common.ops.Param;
import org.genai4j.common.ops.StepContext;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The Bernoulli reconstruction NLL is exact and finite for extreme logits, in FLOAT, and so is its gradient. */
class BernoulliLikelihoodTest {

  private static final float[] LOGITS = {-1000f, -40f, 0f, 0.5f, 40f, 1000f};
  private static final float[][] PIXELS = {{0, 1, 0, 1, 0, 1}, {1, 0, 1, 0.3f, 1, 0}};

  /** A VAE whose decoder's output is {@link #LOGITS} whatever z is (zero output weights). */
  private static Vae saturated() {
    Vae vae = Vae.create(VaeConfig.mlp(1, 1, 6, List.of(4), 2), 1);
    vae.params().get("decoder.2.weight").value().zero();
    vae.params().get("decoder.2.bias").value().write(0, LOGITS, 0, LOGITS.length);
    return vae;
  }

  @Test
  void extremeLogitsGiveExactFiniteNll() {
    double[] recon = saturated().score(Nd4j.createFromArray(PIXELS), 1).reconstruction();
    for (int i = 0; i < 2; i++) {
      double expected = 0;
      for (int j = 0; j < 6; j++) {
        double l = LOGITS[j];
        expected += Math.max(l, 0) - PIXELS[i][j] * l + Math.log1p(Math.exp(-Math.abs(l)));
      }
      assertEquals(expected, recon[i], 1e-6 * Math.abs(expected), "image " + i);
    }
  }

  @Test
  void extremeLogitsGiveFiniteGradients() {
    Vae vae = saturated();
    INDArray x = Nd4j.createFromArray(PIXELS);
    StepContext ctx = StepContext.training(1, 0);
    Vae.Elbo e = vae.forward(ctx, vae.input(x));
    assertTrue(Double.isFinite(e.reconstruction()) && e.reconstruction() > 1000, "loss " + e);
    vae.backward(ctx, 1f, 1f);
    for (Param p : vae.params().list()) {
      for (float g : p.grad().toArray()) {
        assertTrue(Float.isFinite(g), p.name() + " has a gradient of " + g);
      }
    }
    // d/dl of the mean NLL is (sigmoid(l) - x) / 2 per image: for the output bias, summed over the two images.
    float[] db = vae.params().get("decoder.2.bias").grad().toArray();
    for (int j = 0; j < 6; j++) {
      double sigmoid = 1 / (1 + Math.exp(-LOGITS[j]));
      double expected = ((sigmoid - PIXELS[0][j]) + (sigmoid - PIXELS[1][j])) / 2;
      assertEquals(expected, db[j], 1e-6, "bias " + j);
    }
  }
}
