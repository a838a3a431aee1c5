package org.genai4j.samples.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.genai4j.common.eval.FidScore;
import org.genai4j.common.train.TrainingResult;
import org.genai4j.datasets.ImageData;
import org.genai4j.datasets.Split;
import org.genai4j.gan.Dcgan;
import org.genai4j.gan.DcganConfig;
import org.genai4j.gan.GanEvaluation;
import org.genai4j.gan.GanTrainOptions;
import org.genai4j.gan.GanTraining;
import org.genai4j.samples.bench.GanBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code genai4j gan ...}: train, sample, evaluate and benchmark the DCGAN. */
@Command(name = "gan", mixinStandardHelpOptions = true,
    description = "A DCGAN: train, sample, eval, bench.",
    subcommands = {GanCommand.Train.class, GanCommand.Sample.class, GanCommand.Eval.class, GanCommand.Bench.class})
public final class GanCommand {

  /** {@code genai4j gan train}. */
  @Command(name = "train", mixinStandardHelpOptions = true, description = "Train a DCGAN on an image dataset.")
  static final class Train implements Callable<Integer> {
    @Mixin RunOptions run;
    @Mixin DataOptions data;
    @Option(names = "--epochs", defaultValue = "2", description = "Passes over the training images.") int epochs;
    @Option(names = "--batch", defaultValue = "64",
        description = "Images per step, 2 to the training set's size (batch norm needs 2).") int batch;
    @Option(names = "--latent", defaultValue = "100", description = "Size of the noise vector z.") int latent;
    @Option(names = "--features", defaultValue = "64", description = "Base feature maps.") int features;
    @Option(names = "--lr", defaultValue = "2e-4", description = "Adam learning rate of both networks.") double lr;
    @Option(names = "--label-smoothing", defaultValue = "1.0",
        description = "Discriminator target for real images (0.9 = one-sided smoothing; default: ${DEFAULT-VALUE}).")
    double realLabel;
    @Mixin RunStartOptions start;
    @Mixin SparkOptions spark;
    @Option(names = "--out", required = true,
        description = "Run directory (config, checkpoints, metrics, sample grids).") Path out;

    @Override
    public Integer call() {
      run.apply();
      try {
        spark.readOnExecutors("genai4j gan train", data, true);
        ImageData train = data.images(Split.TRAIN);
        DcganConfig config = DcganConfig.of(train.height(), train.channels()).withLatentSize(latent)
            .withBaseFeatures(features).withLearningRate(lr).withLabelSmoothing(realLabel);
        if (train.height() != train.width()) {
          throw new IllegalArgumentException("the DCGAN needs square images, " + data.name + " has "
              + train.height() + "x" + train.width());
        }
        GanTrainOptions options = GanTrainOptions.of(epochs, out)
            .withBatchSize(data.batchAtMost(batch, train)).withSeed(run.seed).withStart(start.start())
            .withThreads(run.shards());
        TrainingResult<Dcgan> r = spark.train("genai4j gan train",
            listeners -> GanTraining.train(train.images(), null, config, options, listeners));
        System.out.printf("steps=%d images_per_s=%.1f seconds=%.1f%n", r.steps(), r.unitsPerSecond(), r.seconds());
        System.out.println("model written to " + out);
        return 0;
      } finally {
        spark.release(); // when the run failed before Spark training started
      }
    }
  }

  /** {@code genai4j gan sample}. */
  @Command(name = "sample", mixinStandardHelpOptions = true,
      description = "Generate images: an IDX ubyte file (N x H x W, the dataset's layout) and a PNG grid.")
  static final class Sample implements Callable<Integer> {
    @Mixin RunOptions run;
    @Option(names = "--model", required = true, description = "Run directory written by 'gan train'.") Path model;
    @Mixin SampleFiles samples;

    @Override
    public Integer call() {
      run.apply();
      int n = samples.count();
      samples.write(Dcgan.load(model).generate(n, run.seed));
      return 0;
    }
  }

  /** {@code genai4j gan eval}: FID on classifier features and class coverage. */
  @Command(name = "eval", mixinStandardHelpOptions = true,
      description = "FID against the test split on the dataset classifier's features, and class coverage.")
  static final class Eval implements Callable<Integer> {
    @Mixin RunOptions run;
    @Mixin DataOptions data;
    @Option(names = "--model", required = true, description = "Run directory written by 'gan train'.") Path model;
    @Option(names = "--n", defaultValue = "10000", description = "Generated images to score.") int n;

    @Override
    public Integer call() {
      run.apply();
      Dcgan gan = Dcgan.load(model);
      ImageData test = data.images(Split.TEST);
      ImageQuality q = new ImageQuality(data.name, data.images(Split.TRAIN), test);
      FidScore floor = q.realFloor(n);
      GanEvaluation.Scores s = GanEvaluation.evaluate(gan, q.testStatistics(), q.classifier(), n, run.seed);
      System.out.printf("classifier test accuracy %.4f%n", q.classifierAccuracy());
      System.out.println("real vs real (floor): " + floor.summary());
      System.out.println("generated:            " + s.score().summary());
      System.out.println(s);
      return 0;
    }
  }

  /** {@code genai4j gan bench}. */
  @Command(name = "bench", mixinStandardHelpOptions = true, description = "Images/s of a DCGAN training step at batch 64.")
  static final class Bench implements Callable<Integer> {
    @Mixin RunOptions run;
    @Option(names = "--steps", defaultValue = "20", description = "Timed training steps per step kind (more: less noise).")
    int steps;
    @Option(names = "--warmup", defaultValue = "" + GanBench.WARMUP,
        description = "Untimed steps per step kind first, at least (default: ${DEFAULT-VALUE}).")
    int warmup;
    @Option(names = "--warmup-seconds", defaultValue = "" + GanBench.WARMUP_SECONDS, description = "Longest warm-up"
        + " per step kind: after --warmup steps it goes on until the JIT compilers are quiet (0: exactly --warmup"
        + " steps; default: ${DEFAULT-VALUE}).")
    double warmupSeconds;

    @Override
    public Integer call() {
      run.apply();
      if (steps < 1) {
        throw new IllegalArgumentException("--steps must be >= 1, got " + steps);
      }
      if (warmup < 0) {
        throw new IllegalArgumentException("--warmup must be >= 0, got " + warmup);
      }
      if (!(warmupSeconds >= 0)) {
        throw new IllegalArgumentException("--warmup-seconds must be >= 0, got " + warmupSeconds);
      }
      GanBench.run(DcganConfig.fashionMnist(), 64, steps, warmup, warmupSeconds, run.shards(), System.out);
      return 0;
    }
  }
}
