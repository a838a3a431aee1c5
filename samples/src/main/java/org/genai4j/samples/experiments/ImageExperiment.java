package org.genai4j.samples.experiments;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.genai4j.common.eval.FidScore;
import org.genai4j.common.eval.ImageGrid;
import org.genai4j.common.eval.LossPlot;
import org.genai4j.common.train.TimeBudget;
import org.genai4j.common.train.TrainingResult;
import org.genai4j.datasets.ImageData;
import org.genai4j.common.train.TrainingResult;
import org.genai4j.gan.Dcgan;
import org.genai4j.gan.DcganConfig;
import org.genai4j.gan.GanTrainOptions;
import org.genai4j.gan.GanTraining;
import org.genai4j.samples.cli.ImageQuality;
import org.genai4j.vae.Vae;
import org.genai4j.vae.VaeConfig;
import org.genai4j.vae.VaeEvaluation;
import org.genai4j.vae.VaeTrainOptions;
import org.genai4j.vae.VaeTraining;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Trains one image model for a wall-clock budget and scores it like the others. */
public final class ImageExperiment {
  private ImageExperiment() {}

  /**
   * What one image model reached.
   *
   * @param negElbo test negative ELBO in nats per image (NaN where the model has no likelihood)
   * @param nllIw importance-weighted NLL bound in nats per image (NaN where undefined)
   */
  public record Result(String name, long parameters, long steps, double imagesPerSecond, FidScore score,
      double negElbo, double nllIw, Path grid, Path lossPlot) {}

  /**
   * The DCGAN with its reference settings for the data's geometry, its batches split over {@code
   * threads} threads (0: the default).
   */
  public static Result dcgan(ImageData train, ImageQuality quality, int scoreImages, Duration budget, long seed,
      int threads, Path dir) {
    DcganConfig config = DcganConfig.of(train.height(), train.channels());
    TrainingResult<Dcgan> r = GanTraining.train(train.images(), null, config,
        GanTrainOptions.of(10_000, dir).withSeed(seed).withProgressBar(false).withThreads(threads),
        List.of(new TimeBudget(budget).showingProgress("DCGAN", "img")));
    INDArray generated = r.model().generate(scoreImages, seed);
    return finish("DCGAN", r.model().parameterCount(), r.steps(), r.unitsPerSecond(), quality.score(generated),
        Double.NaN, Double.NaN, generated, dir, List.of("D/loss", "G/loss"));
  }

  /** A Bernoulli VAE (MLP 512-20 or conv 32,64-20) with the reference optimizer settings. */
  public static Result vae(VaeConfig.Arch arch, ImageData train, ImageData test, ImageQuality quality, int scoreImages,
      int iwSamples, Duration budget, long seed, Path dir) {
    VaeConfig config = arch == VaeConfig.Arch.MLP
        ? VaeConfig.mlp(train.channels(), train.height(), train.width(), List.of(512), 20)
        : VaeConfig.conv(train.channels(), train.height(), train.width(), List.of(32, 64), 20);
    INDArray heldOut = test.subset(0, Math.min(scoreImages, test.size())).images();
    TrainingResult<Vae> r = VaeTraining.train(train.images(), null, config,
        VaeTrainOptions.defaults(dir).withEpochs(10_000).withSeed(seed).withProgressBar(false),
        List.of(new TimeBudget(budget).showingProgress(arch + " VAE", "img")));
    VaeEvaluation.Result e = VaeEvaluation.evaluate(r.model(), heldOut, iwSamples, seed);
    INDArray generated = r.model().sample(scoreImages, seed);
    String name = arch == VaeConfig.Arch.MLP ? "MLP VAE" : "conv VAE";
    return finish(name, r.model().parameterCount(), r.steps(), r.unitsPerSecond(), quality.score(generated),
        e.negElbo(), e.nllIw(), generated, dir, List.of("loss"));
  }

  private static Result finish(String name, long params, long steps, double ips, FidScore score, double negElbo,
      double nllIw, INDArray generated, Path dir, List<String> lossKeys) {
    Path grid = dir.resolve("samples.png");
    ImageGrid.write(generated.get(NDArrayIndex.interval(0, Math.min(64, generated.size(0)))), 8, 8, false, 2, 2, grid);
    Path plot = dir.resolve("loss.png");
    LossPlot.write(dir.resolve("metrics.jsonl"), lossKeys, plot, 640, 400, name);
    return new Result(name, params, steps, ips, score, negElbo, nllIw, grid, plot);
  }
}
