package org.genai4j.gan;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.genai4j.common.eval.ImageGrid;
import org.genai4j.common.train.LrSchedule;
import org.genai4j.common.train.MetricsLogListener;
import org.genai4j.common.train.OptimizerConfig;
import org.genai4j.common.train.ProgressBarListener;
import org.genai4j.common.train.StepRecord;
import org.genai4j.common.train.Trainer;
import org.genai4j.common.train.TrainerConfig;
import org.genai4j.common.train.TrainingListener;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Trains a {@link Dcgan} on images with the common {@link Trainer}: both networks with Adam at the
 * config's rate and betas, a checkpoint ({@code last.ckpt}) and a fixed-noise sample grid ({@code
 * grid-epoch-NNN.png}, also copied to {@code grid.png}) at the end of every epoch, and the metrics
 * ({@code D/loss}, {@code G/loss}, {@code D/d_real} = mean D(x), {@code D/d_fake} = mean D(G(z))
 * before D's update, {@code G/d_fake} after it) in {@code metrics.jsonl}.
 */
public final class GanTraining {
  private GanTraining() {}

  /** Tiles in the per-epoch grid (8 x 8). */
  public static final int GRID_IMAGES = 64;

  /** What a run produced. */
  public record Result(Dcgan model, long steps, double seconds, double imagesPerSecond, StepRecord last) {}

  /**
   * Trains on {@code images01} ({@code [N, C, H, W]} in [0, 1], matching {@code config}); writes
   * into {@code options.outDir()} and returns the trained model.
   */
  public static Result train(INDArray images01, DcganConfig config, GanTrainOptions options) {
    return train(images01, config, options, List.of());
  }

  /**
   * As {@link #train(INDArray, DcganConfig, GanTrainOptions)}, with further listeners (e.g. a
   * {@link org.genai4j.common.train.TimeBudget} that ends the run after a wall-clock budget).
   */
  public static Result train(INDArray images01, DcganConfig config, GanTrainOptions options,
      List<TrainingListener> extraListeners) {
    Path out = options.outDir();
    Path last = out.resolve(Trainer.LAST);
    if (Files.exists(last) && !options.resume()) {
      throw new IllegalArgumentException("run directory " + out.toAbsolutePath() + " already holds " + Trainer.LAST
          + "; resume it or choose another output directory");
    }
    GanBatches batches = new GanBatches(images01, config, options.batchSize());
    int stepsPerEpoch = (int) ((batches.size() + options.batchSize() - 1) / options.batchSize());
    long total = (long) options.epochs() * stepsPerEpoch;
    Dcgan model = new Dcgan(config, options.seed());
    OptimizerConfig adam = OptimizerConfig.adam(LrSchedule.constant(config.learningRate()), config.beta1(), config.beta2());
    TrainerConfig tc = TrainerConfig.of(total, options.seed())
        .withLogEvery(logEvery(stepsPerEpoch))
        .withCheckpoints(out, stepsPerEpoch, null);
    Trainer trainer = new Trainer(model, Map.of("D", adam, "G", adam), tc);
    if (options.resume() && Files.exists(last)) {
      DcganConfig saved = DcganConfig.fromJson(org.genai4j.common.train.Checkpoint.read(last).configJson());
      if (!saved.equals(config)) {
        throw new IllegalArgumentException("cannot resume " + last + ": it was trained with " + saved
            + ", not " + config);
      }
      trainer.resume(last);
    }
    try {
      Files.createDirectories(out);
      Files.writeString(out.resolve("config.json"), config.toJson());
    } catch (IOException e) {
      throw new UncheckedIOException("could not write to run directory " + out + ": " + e.getMessage(), e);
    }
    INDArray fixedNoise = Dcgan.noise(GRID_IMAGES, config.latentSize(), options.seed() ^ 0x6A11DL);
    trainer.addListener(new MetricsLogListener(out.resolve("metrics.jsonl")));
    trainer.addListener(new EpochGrid(model, fixedNoise, stepsPerEpoch, out));
    if (options.progressBar()) {
      trainer.addListener(new ProgressBarListener("dcgan", "img"));
    }
    extraListeners.forEach(trainer::addListener);
    long startStep = trainer.step();
    long t0 = System.nanoTime();
    StepRecord rec = trainer.fit(batches);
    double seconds = (System.nanoTime() - t0) / 1e9;
    long steps = trainer.step() - startStep;
    double ips = steps * (double) options.batchSize() / Math.max(1e-9, seconds);
    return new Result(model, steps, seconds, ips, rec);
  }

  /** The largest divisor of the epoch length up to 50, so that a record falls on every epoch end. */
  static int logEvery(int stepsPerEpoch) {
    for (int d = Math.min(50, stepsPerEpoch); d > 1; d--) {
      if (stepsPerEpoch % d == 0) {
        return d;
      }
    }
    return 1;
  }

  /** Writes the fixed-noise grid whenever a record lands on an epoch's last step. */
  private static final class EpochGrid implements TrainingListener {
    private final Dcgan model;
    private final INDArray noise;
    private final int stepsPerEpoch;
    private final Path dir;

    EpochGrid(Dcgan model, INDArray noise, int stepsPerEpoch, Path dir) {
      this.model = model;
      this.noise = noise;
      this.stepsPerEpoch = stepsPerEpoch;
      this.dir = dir;
    }

    @Override
    public void onStep(StepRecord r) {
      if (r.step() % stepsPerEpoch != 0) {
        return;
      }
      long epoch = r.step() / stepsPerEpoch;
      Path png = dir.resolve(String.format("grid-epoch-%03d.png", epoch));
      ImageGrid.write(model.generateFrom(noise), 8, 8, false, 2, 1, png);
      try {
        Files.copy(png, dir.resolve("grid.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException e) {
        throw new UncheckedIOException("could not copy " + png + ": " + e.getMessage(), e);
      }
    }
  }
}
