package org.genai4j.gan;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.genai4j.common.eval.ImageGrid;
import org.genai4j.common.train.LrSchedule;
import org.genai4j.common.train.MetricsLogListener;
import org.genai4j.common.train.OptimizerConfig;
import org.genai4j.common.train.ProgressBarListener;
import org.genai4j.common.train.RunDir;
import org.genai4j.common.train.RunFolder;
import org.genai4j.common.train.StepRecord;
import org.genai4j.common.train.Trainer;
import org.genai4j.common.train.TrainerConfig;
import org.genai4j.common.train.TrainingListener;
import org.genai4j.common.train.TrainingResult;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Trains a {@link Dcgan} on images with the common Trainer: D then G each step, both with Adam at
 * the config's rate and betas, the batch split over {@link GanTrainOptions#threads()} threads.
 * The run folder ({@link RunDir}) gets {@code config.json}, {@code train.json}, {@code
 * metrics.jsonl} ({@code D/loss}, {@code G/loss}, {@code D/d_real} = mean D(x), {@code D/d_fake} =
 * mean D(G(z)) before D's update, {@code G/d_fake} after it, gradient norms), a checkpoint ({@code
 * checkpoints/last}) and a grid of 64 images from fixed noise ({@code grid-epoch-NNN.png}, copied
 * to {@code grid.png}) at the end of every epoch.
 */
public final class GanTraining {
  private GanTraining() {}

  /** The CLI flags of the options and configuration keys a resumed run compares. */
  private static final Map<String, String> FLAGS = Map.of("epochs", "--epochs", "batchSize", "--batch", "seed",
      "--seed", "latentSize", "--latent", "baseFeatures", "--features", "learningRate", "--lr", "realLabel",
      "--label-smoothing", "imageSize", "image size", "channels", "image channels");
  /** Options a resumed run may change freely: where and how fast it runs. */
  private static final Set<String> HARMLESS = Set.of("threads", "progressBar", "outDir", "resume");

  /** Tiles in the per-epoch grid (8 x 8). */
  public static final int GRID_IMAGES = 64;
  /** The latest epoch's grid in the run folder. */
  public static final String GRID = "grid.png";

  /**
   * Trains on {@code trainImages01} ({@code [N, C, H, W]} in [0, 1], matching {@code config}) into
   * {@code options.outDir()}. A GAN has no held-out loss: {@code validationImages} must be null
   * (score a trained model with {@link GanEvaluation}).
   */
  public static TrainingResult<Dcgan> train(INDArray trainImages01, INDArray validationImages, DcganConfig config,
      GanTrainOptions options) {
    return train(trainImages01, validationImages, config, options, List.of());
  }

  /** As {@link #train(INDArray, INDArray, DcganConfig, GanTrainOptions)} without validation data. */
  public static TrainingResult<Dcgan> train(INDArray trainImages01, DcganConfig config, GanTrainOptions options) {
    return train(trainImages01, null, config, options, List.of());
  }

  /**
   * As {@link #train(INDArray, INDArray, DcganConfig, GanTrainOptions)}, with further listeners
   * (e.g. a {@link org.genai4j.common.train.TimeBudget} that ends the run after a wall-clock budget).
   */
  public static TrainingResult<Dcgan> train(INDArray trainImages01, INDArray validationImages, DcganConfig config,
      GanTrainOptions options, List<TrainingListener> extraListeners) {
    if (validationImages != null) {
      throw new IllegalArgumentException("the DCGAN takes no validation images (pass null): a GAN has no held-out"
          + " loss; score a trained model with GanEvaluation");
    }
    try (RunFolder run = RunFolder.open(options.outDir(), options.start())) {
      return train(run, trainImages01, config, options, extraListeners);
    }
  }

  private static TrainingResult<Dcgan> train(RunFolder run, INDArray trainImages01, DcganConfig config,
      GanTrainOptions options, List<TrainingListener> extraListeners) {
    Path out = options.outDir();
    GanBatches batches = new GanBatches(trainImages01, config, options.batchSize());
    int stepsPerEpoch = Math.toIntExact(batches.stepsPerEpoch());
    Dcgan model = new Dcgan(config, options.seed());
    DcganTrainable trainable = new DcganTrainable(model);
    OptimizerConfig adam = OptimizerConfig.adam(LrSchedule.constant(config.learningRate()), config.beta1(),
        config.beta2());
    TrainerConfig tc = TrainerConfig.of((long) options.epochs() * stepsPerEpoch, options.seed())
        .withLogEvery(Math.min(50, stepsPerEpoch))
        .withCheckpoints(out, stepsPerEpoch, null)
        .withThreads(options.threads());
    Trainer trainer = new Trainer(trainable, adam, tc);
    run.begin(Map.of(RunDir.CONFIG, config.toJson(), RunDir.TRAIN, options.toJson()), FLAGS, HARMLESS, () -> {
      if (run.resuming()) {
        trainer.resume(out.resolve(RunDir.LAST));
      }
    });
    trainer.addListener(new MetricsLogListener(out.resolve(RunDir.METRICS)));
    trainer.addListener(new EpochGrid(model, Dcgan.noise(GRID_IMAGES, config.latentSize(), options.seed() ^ 0x6A11DL),
        out));
    if (options.progressBar()) {
      trainer.addListener(new ProgressBarListener("dcgan", "img"));
    }
    extraListeners.forEach(trainer::addListener);
    return trainer.fit(batches, () -> model, steps -> steps * (double) options.batchSize());
  }

  /** Writes the fixed-noise grid at the end of every epoch. */
  private static final class EpochGrid implements TrainingListener {
    private final Dcgan model;
    private final INDArray noise;
    private final Path dir;

    EpochGrid(Dcgan model, INDArray noise, Path dir) {
      this.model = model;
      this.noise = noise;
      this.dir = dir;
    }

    @Override
    public void onStep(StepRecord r) {}

    @Override
    public void onEpochEnd(long epoch, StepRecord r) {
      Path png = dir.resolve(String.format("grid-epoch-%03d.png", epoch));
      ImageGrid.write(model.generateFrom(noise), 8, 8, false, 2, 1, png);
      try {
        Files.copy(png, dir.resolve(GRID), StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException e) {
        throw new UncheckedIOException("could not copy " + png + ": " + e.getMessage(), e);
      }
    }
  }
}
