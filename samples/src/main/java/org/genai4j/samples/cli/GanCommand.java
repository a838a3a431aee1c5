package org.genai4j.samples.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.genai4j.common.eval.FidScore;
import org.genai4j.datasets.ImageData;
import org.genai4j.datasets.Split;
import org.genai4j.gan.Dcgan;
import org.genai4j.gan.DcganConfig;
import org.genai4j.gan.GanTrainOptions;
import org.genai4j.gan.GanTraining;
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
    @Option(names = "--epochs", defaultValue = "2") int epochs;
    @Option(names = "--batch", defaultValue = "64") int batch;
    @Option(names = "--latent", defaultValue = "100") int latent;
    @Option(names = "--features", defaultValue = "64", description = "Base feature maps.") int features;
    @Option(names = "--lr", defaultValue = "2e-4") double lr;
    @Option(names = "--label-smoothing", defaultValue = "1.0",
        description = "Discriminator target for real images (0.9 = one-sided smoothing; default: ${DEFAULT-VALUE}).")
    double realLabel;
    @Option(names = "--resume") boolean resume;
    @Option(names = "--out", required = true) Path out;

    @Override
    public Integer call() {
      run.apply();
      ImageData train = data.images(Split.TRAIN);
      DcganConfig config = DcganConfig.of(train.height(), train.channels()).withLatentSize(latent)
          .withBaseFeatures(features).withLearningRate(lr).withLabelSmoothing(realLabel);
      if (train.height() != train.width()) {
        throw new IllegalArgumentException("the DCGAN needs square images, " + data.name + " has "
            + train.height() + "x" + train.width());
      }
      GanTraining.Result r = GanTraining.train(train.images(), config,
          GanTrainOptions.of(epochs, out).withBatchSize(batch).withSeed(run.seed).withResume(resume));
      System.out.printf("steps=%d images_per_s=%.1f seconds=%.1f%n", r.steps(), r.imagesPerSecond(), r.seconds());
      System.out.println("model written to " + out);
      return 0;
    }
  }

  /** {@code genai4j gan sample}. */
  @Command(name = "sample", mixinStandardHelpOptions = true,
      description = "Generate images: an IDX ubyte file (N x H x W, the dataset's layout) and a PNG grid.")
  static final class Sample implements Callable<Integer> {
    @Mixin RunOptions run;
    @Option(names = "--model", required = true) Path model;
    @Mixin SampleFiles samples;

    @Override
    public Integer call() {
      run.apply();
      samples.write(Dcgan.load(model).generate(samples.count(), run.seed));
      return 0;
    }
  }

  /** {@code genai4j gan eval}: FID on classifier features and class coverage. */
  @Command(name = "eval", mixinStandardHelpOptions = true,
      description = "FID against the test split on the dataset classifier's features, and class coverage.")
  static final class Eval implements Callable<Integer> {
    @Mixin RunOptions run;
    @Mixin DataOptions data;
    @Option(names = "--model", required = true) Path model;
    @Option(names = "--n", defaultValue = "10000", description = "Generated images to score.") int n;

    @Override
    public Integer call() {
      run.apply();
      Dcgan gan = Dcgan.load(model);
      ImageQuality q = new ImageQuality(data.name, data.images(Split.TRAIN), data.images(Split.TEST));
      FidScore floor = q.realFloor(n);
      FidScore s = q.score(gan.generate(n, run.seed));
      System.out.printf("classifier test accuracy %.4f%n", q.classifierAccuracy());
      System.out.println("real vs real (floor): " + floor.summary());
      System.out.println("generated:            " + s.summary());
      System.out.printf("fid=%.3f classes_min_pct=%.2f%n", s.fid(), 100 * s.minClassFraction());
      return 0;
    }
  }

  /** {@code genai4j gan bench}. */
  @Command(name = "bench", mixinStandardHelpOptions = true, description = "Images/s of a DCGAN training step at batch 64.")
  static final class Bench implements Callable<Integer> {
    @Mixin RunOptions run;
    @Option(names = "--steps", defaultValue = "20", description = "Timed training steps per step kind (more: less noise).")
    int steps;

    @Override
    public Integer call() {
      run.apply();
      org.genai4j.gan.GanBench.main(new String[] {String.valueOf(steps)});
      return 0;
    }
  }
}
