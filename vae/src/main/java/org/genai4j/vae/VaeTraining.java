package org.genai4j.vae;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * Trains a VAE on image arrays with common's {@link Trainer} and writes a run directory: {@code
 * config.json}, {@code last.ckpt} (every epoch), {@code best.ckpt} (lowest test negative ELBO),
 * {@code metrics.jsonl} (loss, reconstruction and KL terms per logged step, test figures per
 * epoch) and the pictures of {@link VaePictures#writeAll}.
 */
public final class VaeTraining {
  private VaeTraining() {}

  /** File names inside the run directory. */
  public static final String CONFIG = "config.json";
  public static final String METRICS = "metrics.jsonl";
  private static final int LOG_EVERY = 50;
  /** Seed of the test-set evaluation noise, fixed so epochs compare on the same draws. */
  private static final long EVAL_SEED = 1234;

  /**
   * What a training run produced.
   *
   * @param model the trained VAE
   * @param steps optimizer steps run in this call
   * @param seconds wall time of the training loop (including per-epoch evaluation)
   * @param imagesPerSecond training images per second of wall time
   * @param test the last test-set evaluation (negative ELBO; no importance sampling), or null
   */
  public record Result(Vae model, long steps, double seconds, double imagesPerSecond, VaeEvaluation.Result test) {}

  /**
   * Builds a VAE from {@code config} and trains it on {@code trainImages} [N, C, H, W];
   * {@code testImages} (may be null) are evaluated after every epoch.
   */
  public static Result train(INDArray trainImages, INDArray testImages, VaeConfig config, VaeTrainOptions options) {
    return train(trainImages, testImages, config, options, List.of());
  }

  /**
   * As {@link #train(INDArray, INDArray, VaeConfig, VaeTrainOptions)}, with further listeners (e.g.
   * a {@link org.genai4j.common.train.TimeBudget} that ends the run after a wall-clock budget).
   */
  public static Result train(INDArray trainImages, INDArray testImages, VaeConfig config, VaeTrainOptions options,
      List<TrainingListener> extraListeners) {
    if (config == null || options == null) throw new IllegalArgumentException("config and options are required");
    return train(Vae.create(config, options.seed()), trainImages, testImages, options, extraListeners);
  }

  /** Trains {@code vae} (fresh or loaded); resumes from {@code outDir/last.ckpt} when asked. */
  public static Result train(Vae vae, INDArray trainImages, INDArray testImages, VaeTrainOptions options) {
    return train(vae, trainImages, testImages, options, List.of());
  }

  /** As {@link #train(Vae, INDArray, INDArray, VaeTrainOptions)}, with further listeners. */
  public static Result train(Vae vae, INDArray trainImages, INDArray testImages, VaeTrainOptions options,
      List<TrainingListener> extraListeners) {
    INDArray data = vae.flatten(trainImages, "training images");
    checkRange(vae.config(), data, "training images");
    if (testImages != null) {
      checkRange(vae.config(), vae.flatten(testImages, "test images"), "test images");
    }
    EpochBatches batches = new EpochBatches(data.dup('c'), options.batchSize(), options.seed());
    long steps = (long) options.epochs() * batches.stepsPerEpoch();
    Path out = options.outDir();
    TrainerConfig tc = TrainerConfig.of(steps, options.seed())
        .withLogEvery(LOG_EVERY)
        .withEvalEvery(testImages != null ? (int) batches.stepsPerEpoch() : 0);
    if (out != null) {
      tc = tc.withCheckpoints(out, (int) batches.stepsPerEpoch(), testImages != null ? "neg_elbo" : null);
    }
    OptimizerConfig adam = OptimizerConfig.adam(LrSchedule.constant(options.learningRate()), 0.9, 0.999);
    Trainer trainer = new Trainer(vae, adam, tc);
    VaeEvaluation.Result[] lastEval = new VaeEvaluation.Result[1];
    if (testImages != null) {
      trainer.setEvaluator(() -> {
        VaeEvaluation.Result r = VaeEvaluation.evaluate(vae, testImages, 0, EVAL_SEED);
        lastEval[0] = r;
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("neg_elbo", r.negElbo());
        m.put("recon", r.reconstruction());
        m.put("kl", r.kl());
        return m;
      });
    }
    if (out != null) {
      writeConfig(vae, options, out.resolve(CONFIG));
      trainer.addListener(new MetricsLogListener(out.resolve(METRICS)));
      if (options.resume() && Files.exists(out.resolve(Trainer.LAST))) {
        trainer.resume(out.resolve(Trainer.LAST));
      }
    }
    if (options.progressBar()) {
      trainer.addListener(new ProgressBarListener("vae", "img"));
    }
    extraListeners.forEach(trainer::addListener);
    batches.seek(trainer.step());
    long startStep = trainer.step();
    long t0 = System.nanoTime();
    trainer.fit(batches);
    double seconds = (System.nanoTime() - t0) / 1e9;
    long ran = trainer.step() - startStep;
    double images = batches.served();
    if (out != null) {
      VaePictures.writeAll(vae, testImages != null ? testImages : trainImages, out, options.seed());
    }
    return new Result(vae, ran, seconds, images / Math.max(1e-9, seconds), lastEval[0]);
  }

  private static void checkRange(VaeConfig config, INDArray flat, String what) {
    if (config.likelihood() != VaeConfig.Likelihood.BERNOULLI) {
      return;
    }
    double min = flat.minNumber().doubleValue();
    double max = flat.maxNumber().doubleValue();
    if (min < 0 || max > 1 || Double.isNaN(min) || Double.isNaN(max)) {
      throw new IllegalArgumentException(what + " must hold pixels in [0,1] for the Bernoulli likelihood, found values in ["
          + min + ", " + max + "] (scale 0..255 bytes by 1/255, or use a Gaussian likelihood)");
    }
  }

  private static void writeConfig(Vae vae, VaeTrainOptions o, Path file) {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    try {
      root.set("model", json.readTree(vae.configJson()));
      ObjectNode t = root.putObject("train");
      t.put("epochs", o.epochs());
      t.put("batchSize", o.batchSize());
      t.put("learningRate", o.learningRate());
      t.put("seed", o.seed());
      t.put("optimizer", "adam(0.9, 0.999)");
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, json.writerWithDefaultPrettyPrinter().writeValueAsString(root));
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + file + ": " + e.getMessage(), e);
    }
  }
}
