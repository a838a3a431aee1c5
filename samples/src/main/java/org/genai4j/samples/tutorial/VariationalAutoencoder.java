package org.genai4j.samples.tutorial;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.genai4j.common.ops.GaussianKl;
import org.genai4j.common.ops.GaussianSample;
import org.genai4j.common.ops.StepContext;
import org.genai4j.common.ops.Tensor;
import org.genai4j.datasets.ImageData;
import org.genai4j.datasets.Split;
import org.genai4j.vae.Vae;
import org.genai4j.vae.VaeConfig;
import org.genai4j.vae.VaeEvaluation;
import org.genai4j.vae.VaePictures;
import org.genai4j.vae.VaeTrainOptions;
import org.genai4j.vae.VaeTraining;

/**
 * Chapter 11: a VAE on Fashion-MNIST. The KL term by hand against the library's op, the
 * reparameterized sample's statistics, the ELBO's two terms after training, the importance-weighted
 * bound tightening with k, and the latent space: reconstructions, samples, interpolations and the
 * 2-D manifold.
 */
final class VariationalAutoencoder implements Chapter {

  @Override
  public int number() {
    return 11;
  }

  @Override
  public String title() {
    return "The VAE";
  }

  @Override
  public String page() {
    return "11-vae.md";
  }

  @Override
  public void run(ChapterRun run) throws Exception {
    klByHand(run);
    reparameterization(run);

    ImageData train = run.images("fashion-mnist", Split.TRAIN);
    train = train.subset(0, run.pick(2_000, train.size()));
    ImageData test = run.images("fashion-mnist", Split.TEST).subset(0, run.pick(200, 1_000));
    int hidden = run.pick(128, 512);
    int epochs = run.pick(1, 3);

    VaeConfig config = VaeConfig.mlp(1, 28, 28, List.of(hidden), 20);
    Path dir = Generation.freshDir(run, "vae");
    long t0 = System.nanoTime();
    VaeTraining.train(train.images(), test.images(), config, options(run, dir, epochs));
    Vae vae = Vae.load(dir); // the best epoch by the test set's negative ELBO
    run.say("%s: %,d parameters, %d epochs over %,d images in %.0f s", config.describe(), vae.parameterCount(), epochs,
        train.size(), (System.nanoTime() - t0) / 1e9);
    run.figure("vae_params", vae.parameterCount());
    VaeEvaluation.Result r = VaeEvaluation.evaluate(vae, test.images(), run.pick(10, 100), 1);
    run.say("test: %s (reconstruction %.3f + KL %.3f)", r, r.reconstruction(), r.kl());
    run.figure("reconstruction", r.reconstruction(), 1);
    run.figure("kl", r.kl(), 1);
    run.figure("neg_elbo", r.negElbo(), 1);
    run.figure("nll_iw", r.nllIw(), 1);
    for (int k : new int[] {1, 10, 100}) {
      double bound = mean(VaeEvaluation.importanceWeightedBound(vae, test.images().get(
          org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 100)), k, 7));
      run.figure("iw_bound_k" + k, -bound, 1);
    }
    VaePictures.reconstructions(vae, test.images(), 20, run.file("reconstructions.png"));
    VaePictures.samples(vae, 64, 1, run.file("samples.png"));
    VaePictures.interpolation(vae, test.images(), 6, 10, run.file("interpolation.png"));

    // A 2-D latent space can be drawn: decode a grid of z values.
    Path dir2 = Generation.freshDir(run, "vae-2d");
    VaeTraining.train(train.images(), test.images(), VaeConfig.mlp(1, 28, 28, List.of(hidden), 2),
        options(run, dir2, epochs));
    Vae flat = Vae.load(dir2);
    VaePictures.manifold(flat, 16, run.file("manifold.png"));
    run.figure("neg_elbo_2d", VaeEvaluation.evaluate(flat, test.images(), 0, 1).negElbo(), 1);
    run.say("wrote reconstructions.png, samples.png, interpolation.png and manifold.png into %s", run.out());
  }

  private static VaeTrainOptions options(ChapterRun run, Path dir, int epochs) {
    return VaeTrainOptions.defaults(dir).withEpochs(epochs).withSeed(1).withThreads(run.shards())
        .withProgressBar(!run.fast());
  }

  /** KL(N(mu, sigma^2) || N(0, 1)) = (mu^2 + sigma^2 - 1 - log sigma^2) / 2 per dimension, against GaussianKl. */
  private static void klByHand(ChapterRun run) {
    int n = 4;
    int z = 3;
    Random rng = new Random(11);
    float[] muLogvar = new float[n * 2 * z];
    for (int i = 0; i < muLogvar.length; i++) {
      muLogvar[i] = (float) rng.nextGaussian();
    }
    double byHand = 0;
    for (int r = 0; r < n; r++) {
      for (int j = 0; j < z; j++) {
        double mu = muLogvar[r * 2 * z + j];
        double logvar = muLogvar[r * 2 * z + z + j];
        byHand += 0.5 * (mu * mu + Math.exp(logvar) - 1 - logvar) / n;
      }
    }
    double op = new GaussianKl().forward(StepContext.inference(), Tensor.of(muLogvar, n, 2 * z));
    run.say("KL by hand %.6f, GaussianKl %.6f", byHand, op);
    run.figure("kl_matches", Math.abs(byHand - op) < 1e-5 ? "yes" : "no");
  }

  /** z = mu + sigma * eps: many draws for mu = 1, sigma = 0.5 have that mean and spread. */
  private static void reparameterization(ChapterRun run) {
    int n = 10_000;
    float[] muLogvar = new float[n * 2];
    for (int r = 0; r < n; r++) {
      muLogvar[2 * r] = 1f;
      muLogvar[2 * r + 1] = (float) Math.log(0.25); // log sigma^2
    }
    float[] z = new GaussianSample(1).forward(StepContext.training(11, 0), Tensor.of(muLogvar, n, 2)).toArray();
    double mean = 0;
    for (float v : z) {
      mean += v / n;
    }
    double var = 0;
    for (float v : z) {
      var += (v - mean) * (v - mean) / (n - 1);
    }
    run.figure("z_mean", mean, 2);
    run.figure("z_std", Math.sqrt(var), 2);
  }

  private static double mean(double[] xs) {
    double s = 0;
    for (double x : xs) {
      s += x / xs.length;
    }
    return s;
  }
}
