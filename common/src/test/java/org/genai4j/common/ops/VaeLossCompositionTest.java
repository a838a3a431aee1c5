package org.genai4j.common.ops;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.genai4j.common.testing.OpCheck;
import org.junit.jupiter.api.Test;

/**
 * The VAE's loss wired from the ops as a model would (encoder to [mu | logvar], sample, decoder,
 * Bernoulli reconstruction, KL added into the sample's input gradient), checked as one function of
 * its parameters against a plain double computation of the same model.
 */
class VaeLossCompositionTest {
  private static final int D = 6;
  private static final int Z = 2;
  private static final long STREAM = 3;
  private static final float BETA = 0.5f;

  /** The whole negative ELBO as a one-output layer of the images. */
  static final class Vae implements Layer {
    final Linear encoder;
    final GaussianSample sample = new GaussianSample(STREAM);
    final Linear decoder;
    final SigmoidCrossEntropy reconstruction = new SigmoidCrossEntropy();
    final GaussianKl kl = new GaussianKl();
    Tensor images;

    Vae(Params p) {
      encoder = new Linear(p, "enc", D, 2 * Z, true, Init.normal(0.5), Init.normal(0.1)).withoutInputGradient();
      decoder = new Linear(p, "dec", Z, D, true, Init.normal(0.5), Init.normal(0.1));
    }

    @Override
    public Tensor forward(StepContext ctx, Tensor x) {
      images = x;
      Tensor h = encoder.forward(ctx, x);
      Tensor logits = decoder.forward(ctx, sample.forward(ctx, h));
      double loss = reconstruction.forward(ctx, logits, x) + BETA * kl.forward(ctx, h);
      return Tensor.of(new float[] {(float) loss}, 1);
    }

    @Override
    public Tensor backward(StepContext ctx, Tensor dy) {
      float w = dy.get(0);
      Tensor dh = sample.backward(ctx, decoder.backward(ctx, reconstruction.backward(ctx, w)));
      kl.addGradient(ctx, BETA * w, dh);
      return encoder.backward(ctx, dh);
    }

    @Override
    public List<Param> params() {
      return List.of(encoder.weight(), encoder.bias(), decoder.weight(), decoder.bias());
    }
  }

  /** The same loss in double, with the same noise. */
  static double reference(double[] x, Map<String, double[]> p, StepContext ctx) {
    int n = x.length / D;
    double total = 0;
    for (int r = 0; r < n; r++) {
      double[] h = new double[2 * Z];
      for (int o = 0; o < 2 * Z; o++) {
        double s = p.get("enc.bias")[o];
        for (int i = 0; i < D; i++) {
          s += p.get("enc.weight")[o * D + i] * x[r * D + i];
        }
        h[o] = s;
      }
      SplittableRandom rng = ctx.random(STREAM, r);
      double[] z = new double[Z];
      double kl = 0;
      for (int j = 0; j < Z; j++) {
        double eps = (float) rng.nextGaussian();
        z[j] = h[j] + Math.exp(h[Z + j] / 2) * eps;
        kl += 0.5 * (h[j] * h[j] + Math.exp(h[Z + j]) - 1 - h[Z + j]);
      }
      double recon = 0;
      for (int o = 0; o < D; o++) {
        double l = p.get("dec.bias")[o];
        for (int j = 0; j < Z; j++) {
          l += p.get("dec.weight")[o * Z + j] * z[j];
        }
        double t = x[r * D + o];
        recon += Math.max(l, 0) - l * t + Math.log1p(Math.exp(-Math.abs(l)));
      }
      total += recon + BETA * kl;
    }
    return total / n;
  }

  @Test
  void negativeElboAndItsGradientsMatchADoubleComputation() {
    StepContext ctx = StepContext.training(21, 4);
    Tensor images = SigmoidCrossEntropyTest.uniform(5, 4, D);
    OpCheck.of(new Vae(Params.init(2)), images, (x, p) -> new double[] {reference(x, p, ctx)}).context(ctx)
        .inputGradient(false).tolerance(1e-5).assertCorrect();
  }
}
