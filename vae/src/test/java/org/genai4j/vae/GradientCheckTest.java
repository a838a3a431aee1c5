package org.genai4j.vae;

import java.util.List;
import java.util.Random;
import org.genai4j.common.ops.Layer;
import org.genai4j.common.ops.StepContext;
import org.genai4j.common.ops.Tensor;
import org.genai4j.common.testing.OpCheck;
import org.junit.jupiter.api.Test;

/**
 * The whole model's training loss (forward, reparameterized sample with its noise, likelihood, KL
 * weight) against {@link VaeReference}, a double-precision computation with the same parameters
 * and noise: the loss itself, every parameter's gradient against central differences of the
 * reference, and against float differences of the model itself ({@link OpCheck}).
 */
class GradientCheckTest {

  @Test
  void mlpBernoulli() {
    check(new VaeConfig(VaeConfig.Arch.MLP, 1, 4, 4, List.of(6, 5), 3, VaeConfig.Likelihood.BERNOULLI, 0, 1, 0), 3);
  }

  @Test
  void mlpWithoutHiddenLayers() {
    check(new VaeConfig(VaeConfig.Arch.MLP, 1, 2, 3, List.of(), 2, VaeConfig.Likelihood.BERNOULLI, 0, 1, 0), 4);
  }

  @Test
  void mlpGaussianLearnedWithBetaAndWarmup() {
    // Step 4 of a 10-step warm-up to beta 0.7: the KL weight is 0.35.
    check(new VaeConfig(VaeConfig.Arch.MLP, 1, 3, 3, List.of(5, 4), 2, VaeConfig.Likelihood.GAUSSIAN_LEARNED, 0, 0.7,
        10), 4);
  }

  @Test
  void mlpGaussianFixed() {
    check(new VaeConfig(VaeConfig.Arch.MLP, 2, 2, 2, List.of(5), 2, VaeConfig.Likelihood.GAUSSIAN_FIXED, 0.3, 1, 0), 4);
  }

  @Test
  void convBernoulli() {
    check(new VaeConfig(VaeConfig.Arch.CONV, 1, 4, 4, List.of(2, 3), 2, VaeConfig.Likelihood.BERNOULLI, 0, 1, 0), 3);
  }

  @Test
  void convGaussianLearnedOnTwoChannels() {
    check(new VaeConfig(VaeConfig.Arch.CONV, 2, 4, 4, List.of(3), 2, VaeConfig.Likelihood.GAUSSIAN_LEARNED, 0, 1, 0), 3);
  }

  @Test
  void convGaussianFixedOnANonSquareImage() {
    check(new VaeConfig(VaeConfig.Arch.CONV, 1, 4, 8, List.of(2, 2), 3, VaeConfig.Likelihood.GAUSSIAN_FIXED, 0.5, 1,
        0), 2);
  }

  static void check(VaeConfig config, int n) {
    Vae vae = Vae.create(config, 7);
    StepContext ctx = StepContext.training(21, 4);
    double w = config.klWeight(ctx.step());
    OpCheck.of(asLayer(vae), images(config, n, 3),
            (x, p) -> new double[] {new VaeReference(config, p).loss(x, n, ctx, w)})
        .params(vae.params().list()).context(ctx).inputGradient(false).tolerance(1e-4)
        // A smaller float step than the default: a bias moves a whole channel, whose ReLU kinks it would cross.
        .floatDifferences(3e-3, 2e-2).assertCorrect();
  }

  /** The model's training loss as a one-output layer of its images (the KL weight from the context's step). */
  static Layer asLayer(Vae vae) {
    return new Layer() {
      @Override
      public Tensor forward(StepContext ctx, Tensor x) {
        Vae.Elbo e = vae.forward(ctx, x);
        return Tensor.of(new float[] {(float) (e.reconstruction() + vae.config().klWeight(ctx.step()) * e.kl())}, 1);
      }

      @Override
      public Tensor backward(StepContext ctx, Tensor dy) {
        vae.backward(ctx, dy.get(0), (float) vae.config().klWeight(ctx.step()));
        return null;
      }
    };
  }

  /** {@code n} images of uniform pixels in [0, 1], in the model's input shape. */
  static Tensor images(VaeConfig c, int n, long seed) {
    Random r = new Random(seed);
    float[] v = new float[n * c.inputSize()];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextFloat();
    }
    return c.arch() == VaeConfig.Arch.MLP ? Tensor.of(v, n, c.inputSize())
        : Tensor.of(v, n, c.channels(), c.height(), c.width());
  }
}
