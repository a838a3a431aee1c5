package org.genai4j.samples.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.genai4j.common.train.TrainingResult;
import org.genai4j.common.util.Progress;
import org.genai4j.datasets.ImageData;
import org.genai4j.datasets.Split;
import org.genai4j.samples.bench.VaeBench;
import org.genai4j.vae.Vae;
import org.genai4j.vae.VaeConfig;
import org.genai4j.vae.VaeEvaluation;
import org.genai4j.vae.VaeTrainOptions;
import org.genai4j.vae.VaeTraining;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code genai4j vae ...}: train, evaluate, sample and benchmark variational autoencoders. */
@Command(name = "vae", mixinStandardHelpOptions = true,
    description = "Variational autoencoders (MLP or convolutional): train, eval, sample, bench.",
    subcommands = {VaeCommand.Train.class, VaeCommand.Eval.class, VaeCommand.Sample.class, VaeCommand.Bench.class})
public final class VaeCommand {

  /** {@code genai4j vae train}. */
  @Command(name = "train", mixinStandardHelpOptions = true, description = "Train a VAE on an image dataset.")
  static final class Train implements Callable<Integer> {
    @Mixin RunOptions run;
    @Mixin DataOptions data;
    @Option(names = "--arch", defaultValue = "mlp", converter = LowerCase.class,
        description = "mlp (fully connected) or conv (convolutional).") String arch;
    @Option(names = "--hidden", split = ",", description = "Hidden sizes (mlp, default 512) or conv channels (conv, default 32,64).")
    List<Integer> hidden;
    @Option(names = "--latent", defaultValue = "20", description = "Size of the latent vector z.") int latent;
    @Option(names = "--likelihood", defaultValue = "BERNOULLI",
        description = "bernoulli, gaussian_fixed or gaussian_learned: the decoder's distribution of a pixel.")
    VaeConfig.Likelihood likelihood;
    @Option(names = "--gaussian-std", defaultValue = "0", description = "Fixed std of GAUSSIAN_FIXED.") double gaussianStd;
    @Option(names = "--beta", defaultValue = "1", description = "Weight of the KL term (1: the ELBO; beta-VAE above).") double beta;
    @Option(names = "--kl-warmup", defaultValue = "0", description = "Steps over which the KL weight rises to beta.") long klWarmup;
    @Option(names = "--epochs", defaultValue = "10", description = "Passes over the training images.") int epochs;
    @Option(names = "--batch", defaultValue = "128", description = "Images per step, at most the training set's size.")
    int batch;
    @Option(names = "--lr", defaultValue = "1e-3", description = "Adam learning rate.") double lr;
    @Mixin RunStartOptions start;
    @Mixin SparkOptions spark;
    @Option(names = "--out", required = true,
        description = "Run directory (config, checkpoints, metrics, pictures).") Path out;

    @Override
    public Integer call() {
      run.apply();
      try {
        spark.readOnExecutors("genai4j vae train", data, true);
        ImageData train = data.images(Split.TRAIN);
        ImageData test = data.images(Split.TEST);
        VaeConfig config = config(train);
        VaeTrainOptions options = new VaeTrainOptions(epochs, data.batchAtMost(batch, train), lr, run.seed, run.shards(),
            out, start.start(), true);
        TrainingResult<Vae> r = spark.train("genai4j vae train",
            listeners -> VaeTraining.train(train.images(), test.images(), config, options, listeners));
        System.out.printf(Locale.ROOT, "steps=%d images_per_s=%.0f seconds=%.1f%n", r.steps(), r.unitsPerSecond(),
            r.seconds());
        Double negElbo = r.last() == null ? null : r.last().evaluation().get(VaeTraining.BEST_METRIC);
        if (negElbo != null) {
          System.out.printf(Locale.ROOT, "test: neg_elbo=%.3f%n", negElbo);
        }
        System.out.println("model written to " + out);
        return 0;
      } finally {
        spark.release(); // when the run failed before Spark training started
      }
    }

    private VaeConfig config(ImageData d) {
      VaeConfig base = switch (arch) {
        case "mlp" -> VaeConfig.mlp(d.channels(), d.height(), d.width(), hidden == null ? List.of(512) : hidden, latent);
        case "conv" -> VaeConfig.conv(d.channels(), d.height(), d.width(), hidden == null ? List.of(32, 64) : hidden, latent);
        default -> throw new IllegalArgumentException("--arch must be mlp or conv, got '" + arch + "'");
      };
      return base.withLikelihood(likelihood, gaussianStd).withBeta(beta, klWarmup);
    }
  }

  /** {@code genai4j vae eval}: negative ELBO and the importance-weighted NLL bound on the test split. */
  @Command(name = "eval", mixinStandardHelpOptions = true,
      description = "Negative ELBO and importance-weighted NLL (nats per image) on the test split.")
  static final class Eval implements Callable<Integer> {
    @Mixin RunOptions run;
    @Mixin DataOptions data;
    @Option(names = "--model", required = true, description = "Run directory written by 'vae train'.") Path model;
    @Option(names = "--iw", defaultValue = "100", description = "Importance samples per image (>= 1).") int iw;

    @Override
    public Integer call() {
      run.apply();
      if (iw < 1) {
        throw new IllegalArgumentException("--iw must be >= 1 (importance samples per image for the nll_iw bound), got "
            + iw);
      }
      Vae vae = Vae.load(model);
      INDArray test = data.images(Split.TEST).images();
      VaeEvaluation.Result r;
      try (Progress progress = Progress.of("importance-weighted bound, k=" + iw, "img", test.size(0))) {
        r = VaeEvaluation.evaluate(vae, test, iw, run.seed, run.shards(), progress);
      }
      System.out.printf(Locale.ROOT, "reconstruction=%.3f kl=%.3f images=%d%n", r.reconstruction(), r.kl(), r.images());
      System.out.println(r);
      return 0;
    }
  }

  /** {@code genai4j vae sample}. */
  @Command(name = "sample", mixinStandardHelpOptions = true,
      description = "Sample the prior: an IDX ubyte file (N x H x W) and a PNG grid.")
  static final class Sample implements Callable<Integer> {
    @Mixin RunOptions run;
    @Option(names = "--model", required = true, description = "Run directory written by 'vae train'.") Path model;
    @Mixin SampleFiles samples;

    @Override
    public Integer call() {
      run.apply();
      int n = samples.count();
      samples.write(Vae.load(model).sample(n, run.seed));
      return 0;
    }
  }

  /** {@code genai4j vae bench}. */
  @Command(name = "bench", mixinStandardHelpOptions = true,
      description = "Images/s of the MLP VAE's training step (batch split over the threads, and on one thread) and of"
          + " the conv VAE's, at batch 128.")
  static final class Bench implements Callable<Integer> {
    @Mixin RunOptions run;
    @Option(names = "--steps", defaultValue = "300", description = "Timed MLP training steps per row (more: less noise).")
    int steps;
    @Option(names = "--conv-steps", defaultValue = "60", description = "Timed conv VAE training steps.")
    int convSteps;
    @Option(names = "--warmup", defaultValue = "60", description = "Untimed steps before each row, at least.")
    int warmup;
    @Option(names = "--warmup-seconds", defaultValue = "60", description = "Longest warm-up per row: after --warmup"
        + " steps it goes on until the JIT compilers are quiet (0: exactly --warmup steps; default: ${DEFAULT-VALUE}).")
    double warmupSeconds;
    @Option(names = "--batch", defaultValue = "128", description = "Images per timed step.") int batch;

    @Override
    public Integer call() {
      run.apply();
      VaeBench.run(batch, warmup, warmupSeconds, steps, convSteps, System.out);
      return 0;
    }
  }
}
