package org.genai4j.vae;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.genai4j.common.train.LrSchedule;
import org.genai4j.common.train.MetricsLogListener;
import org.genai4j.common.train.OptimizerConfig;
import org.genai4j.common.train.ProgressBarListener;
import org.genai4j.common.train.RunDir;
import org.genai4j.common.train.RunFolder;
import org.genai4j.common.train.Trainer;
import org.genai4j.common.train.TrainerConfig;
import org.genai4j.common.train.TrainingListener;
import org.genai4j.common.train.TrainingResult;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Trains a VAE on image arrays with common's {@link Trainer} (Adam, shuffled epochs, the batch
 * split over {@link VaeTrainOptions#threads()} threads) and writes its run folder ({@link RunDir}):
 * {@code config.json}, {@code train.json}, {@code metrics.jsonl} (loss, reconstruction and KL
 * terms every 50 steps, the test figures every epoch), {@code checkpoints/last/} (every epoch),
 * {@code checkpoints/best/} (lowest test negative ELBO), and the pictures of {@link
 * VaePictures#writeAll}.
 */
public final class VaeTraining {
  private VaeTraining() {}

  private static final int LOG_EVERY = 50;
  /** The CLI flags of the options and configuration keys a resumed run compares. */
  private static final Map<String, String> FLAGS = Map.ofEntries(Map.entry("epochs", "--epochs"),
      Map.entry("batchSize", "--batch"), Map.entry("learningRate", "--lr"), Map.entry("seed", "--seed"),
      Map.entry("arch", "--arch"), Map.entry("hidden", "--hidden"), Map.entry("latent", "--latent"),
      Map.entry("likelihood", "--likelihood"), Map.entry("gaussianStd", "--gaussian-std"), Map.entry("beta", "--beta"),
      Map.entry("klWarmupSteps", "--kl-warmup"), Map.entry("channels", "image channels"),
      Map.entry("height", "image height"), Map.entry("width", "image width"));
  /** Options a resumed run may change freely: how fast it runs. */
  private static final Set<String> HARMLESS = Set.of("threads");
  /** Seed of the test-set evaluation noise, fixed so that epochs compare on the same draws. */
  private static final long EVAL_SEED = 1234;
  /** The evaluation metric that picks {@code checkpoints/best/}. */
  public static final String BEST_METRIC = "neg_elbo";

  /**
   * Builds a VAE from {@code config} and trains it on {@code trainImages} [N, C, H, W] (pixels in
   * [0, 1] for the Bernoulli likelihood); {@code testImages} (may be null) are evaluated after
   * every epoch and pick the best checkpoint.
   */
  public static TrainingResult<Vae> train(INDArray trainImages, INDArray testImages, VaeConfig config,
      VaeTrainOptions options) {
    return train(trainImages, testImages, config, options, List.of());
  }

  /**
   * As {@link #train(INDArray, INDArray, VaeConfig, VaeTrainOptions)}, with further listeners (e.g.
   * a {@link org.genai4j.common.train.TimeBudget} that ends the run after a wall-clock budget).
   */
  public static TrainingResult<Vae> train(INDArray trainImages, INDArray testImages, VaeConfig config,
      VaeTrainOptions options, List<TrainingListener> extraListeners) {
    if (config == null || options == null) {
      throw new IllegalArgumentException("config and options are required");
    }
    Vae vae = Vae.create(config, options.seed());
    INDArray data = vae.flatten(trainImages, "training images");
    checkRange(config, data, "training images");
    if (testImages != null) {
      checkRange(config, vae.flatten(testImages, "test images"), "test images");
    }
    Path out = options.outDir();
    try (RunFolder run = out == null ? null : RunFolder.open(out, options.start())) {
      return train(run, vae, data, trainImages, testImages, config, options, extraListeners);
    }
  }

  private static TrainingResult<Vae> train(RunFolder run, Vae vae, INDArray data, INDArray trainImages,
      INDArray testImages, VaeConfig config, VaeTrainOptions options, List<TrainingListener> extraListeners) {
    Path out = options.outDir();
    VaeTrainable model = new VaeTrainable(vae);
    EpochBatches batches = new EpochBatches(data.dup('c'), options.batchSize(), options.seed());
    long stepsPerEpoch = batches.stepsPerEpoch();
    TrainerConfig tc = TrainerConfig.of(options.epochs() * stepsPerEpoch, options.seed())
        .withLogEvery(LOG_EVERY)
        .withEvalEvery(testImages != null ? (int) stepsPerEpoch : 0)
        .withThreads(options.threads());
    if (out != null) {
      tc = tc.withCheckpoints(out, (int) stepsPerEpoch, testImages != null ? BEST_METRIC : null);
    }
    Trainer trainer = new Trainer(model, OptimizerConfig.adam(LrSchedule.constant(options.learningRate()), 0.9, 0.999),
        tc);
    if (testImages != null) {
      trainer.setEvaluator(() -> {
        VaeEvaluation.Result r = VaeEvaluation.evaluate(vae, testImages, 0, EVAL_SEED);
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(BEST_METRIC, r.negElbo());
        m.put("recon", r.reconstruction());
        m.put("kl", r.kl());
        return m;
      });
    }
    if (run != null) {
      run.begin(Map.of(RunDir.CONFIG, config.toJson(), RunDir.TRAIN, trainJson(options)), FLAGS, HARMLESS, () -> {
        if (run.resuming()) {
          trainer.resume(out.resolve(RunDir.LAST));
        }
      });
      trainer.addListener(new MetricsLogListener(out.resolve(RunDir.METRICS)));
    }
    if (options.progressBar()) {
      trainer.addListener(new ProgressBarListener("vae", "img"));
    }
    extraListeners.forEach(trainer::addListener);
    batches.seek(trainer.step());
    TrainingResult<Vae> result = trainer.fit(batches, () -> vae, steps -> batches.served());
    if (out != null) {
      VaePictures.writeAll(vae, testImages != null ? testImages : trainImages, out, options.seed());
    }
    return result;
  }

  private static void checkRange(VaeConfig config, INDArray flat, String what) {
    if (config.likelihood() != VaeConfig.Likelihood.BERNOULLI) {
      return;
    }
    double min = flat.minNumber().doubleValue();
    double max = flat.maxNumber().doubleValue();
    if (min < 0 || max > 1 || Double.isNaN(min) || Double.isNaN(max)) {
      throw new IllegalArgumentException(what + " must hold pixels in [0,1] for the Bernoulli likelihood, found values"
          + " in [" + min + ", " + max + "] (scale 0..255 bytes by 1/255, or use a Gaussian likelihood)");
    }
  }

  private static String trainJson(VaeTrainOptions o) {
    ObjectMapper json = new ObjectMapper();
    ObjectNode t = json.createObjectNode();
    t.put("epochs", o.epochs());
    t.put("batchSize", o.batchSize());
    t.put("learningRate", o.learningRate());
    t.put("seed", o.seed());
    t.put("threads", o.threads());
    t.put("optimizer", "adam(0.9, 0.999)");
    return t.toPrettyString();
  }
}
