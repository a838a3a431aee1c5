package org.genai4j.samples.tutorial;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.genai4j.common.eval.FeatureClassifier;
import org.genai4j.common.eval.FidScore;
import org.genai4j.common.eval.LossPlot;
import org.genai4j.common.train.StepRecord;
import org.genai4j.common.train.TrainingListener;
import org.genai4j.datasets.ImageData;
import org.genai4j.datasets.Split;
import org.genai4j.gan.Dcgan;
import org.genai4j.gan.DcganConfig;
import org.genai4j.gan.GanEvaluation;
import org.genai4j.gan.GanTrainOptions;
import org.genai4j.gan.GanTraining;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Chapter 10: a DCGAN on Fashion-MNIST. The two losses and why G's is "non-saturating"; the two
 * networks counted; a short training with its sample grid and loss curves; FID and class coverage,
 * with the real-vs-real floor and what a collapsed generator scores.
 */
final class Gan implements Chapter {

  @Override
  public int number() {
    return 10;
  }

  @Override
  public String title() {
    return "The GAN";
  }

  @Override
  public String page() {
    return "10-gan.md";
  }

  @Override
  public void run(ChapterRun run) throws Exception {
    nonSaturating(run);
    ImageData all = run.images("fashion-mnist", Split.TRAIN);
    ImageData test = run.images("fashion-mnist", Split.TEST);
    ImageData train = all.subset(0, run.pick(1_000, 10_000));

    DcganConfig config = run.fast() ? DcganConfig.fashionMnist().withBaseFeatures(16) : DcganConfig.fashionMnist();
    Dcgan fresh = new Dcgan(config, 1);
    long g = count(fresh, Dcgan.GENERATOR);
    long d = count(fresh, Dcgan.DISCRIMINATOR);
    run.figure("generator_params", g);
    run.figure("discriminator_params", d);

    Path dir = Generation.freshDir(run, "dcgan");
    Probabilities probs = new Probabilities();
    int epochs = run.pick(1, 3);
    long t0 = System.nanoTime();
    Dcgan gan = GanTraining.train(train.images(), null, config,
        GanTrainOptions.of(epochs, dir).withSeed(1).withThreads(run.shards()).withProgressBar(!run.fast()), List.of(probs))
        .model();
    run.say("%d epochs over %,d images in %.0f s", epochs, train.size(), (System.nanoTime() - t0) / 1e9);
    run.figure("final_d_real", probs.dReal, 2);
    run.figure("final_d_fake", probs.dFake, 2);
    Files.copy(dir.resolve(GanTraining.GRID), run.file("grid.png"), StandardCopyOption.REPLACE_EXISTING);
    LossPlot.write(dir.resolve("metrics.jsonl"), List.of("D/loss", "G/loss"), run.file("losses.png"), 640, 400,
        "DCGAN losses");

    // FID on a small classifier's features (Inception's weights are not available offline).
    int n = run.pick(500, 2_000);
    // Smaller than `gan eval`'s classifier (16-32 filters, 3 epochs over 60,000 images), to stay within minutes.
    FeatureClassifier.Config cc = run.fast()
        ? new FeatureClassifier.Config(1, 28, 28, 10, 8, 16, 32, 1, 64, 2e-3, 1234)
        : new FeatureClassifier.Config(1, 28, 28, 10, 8, 16, 64, 2, 64, 2e-3, 1234);
    ImageData classifierData = all.subset(0, run.pick(2_000, 10_000));
    run.say("training the FID feature classifier on %,d images...", classifierData.size());
    FeatureClassifier classifier = FeatureClassifier.train(cc, classifierData.images(), classifierData.labels());
    ImageData realA = test.subset(0, n);
    ImageData realB = test.subset(n, 2 * n);
    run.figure("classifier_accuracy", classifier.accuracy(realA.images(), realA.labels()), 2);
    GanEvaluation.Scores scores = GanEvaluation.evaluate(gan, realA.images(), classifier, n, 1);
    run.say("DCGAN:       %s", scores.score().summary());
    run.figure("fid", scores.fid(), 1);
    run.figure("classes_min_pct", scores.minClassPercent(), 1);
    FidScore floor = FidScore.of(classifier, realA.images(), realB.images());
    run.say("real images: %s", floor.summary());
    run.figure("fid_real_vs_real", floor.fid(), 2);

    // What collapse looks like: a "generator" that only ever draws one class (real bags, here).
    INDArray oneClass = onlyClass(test, 8, n);
    FidScore collapsed = FidScore.of(classifier, realA.images(), oneClass);
    run.say("one class:   %s", collapsed.summary());
    run.figure("fid_one_class", collapsed.fid(), 0);
    run.figure("one_class_min_pct", 100 * collapsed.minClassFraction(), 1);
  }

  /** The generator's two candidate losses and their gradients when D confidently rejects a fake. */
  private static void nonSaturating(ChapterRun run) {
    double dOfFake = 0.01; // early in training D easily spots fakes: D(G(z)) near 0
    double logit = Math.log(dOfFake / (1 - dOfFake));
    // minimax: G minimizes log(1 - D(G(z))); d/dlogit = -sigmoid(logit) = -D(G(z))
    double saturating = -dOfFake;
    // non-saturating: G minimizes -log D(G(z)); d/dlogit = -(1 - D(G(z)))
    double nonSaturating = -(1 - dOfFake);
    run.say("D(G(z)) = %.2f (logit %.2f): gradient %.2f for log(1 - D), %.2f for -log D", dOfFake, logit,
        saturating, nonSaturating);
    run.figure("grad_saturating", saturating, 2);
    run.figure("grad_non_saturating", nonSaturating, 2);
  }

  private static long count(Dcgan model, String prefix) {
    return model.params().list().stream().filter(p -> p.name().startsWith(prefix))
        .mapToLong(p -> p.value().length()).sum();
  }

  private static INDArray onlyClass(ImageData data, int label, int n) {
    INDArray out = Nd4j.create(data.images().dataType(), n, 1, 28, 28);
    int k = 0;
    for (int i = 0; i < data.size() && k < n; i++) {
      if (data.labels()[i] == label) {
        out.putSlice(k++, data.images().slice(i));
      }
    }
    return k == n ? out : out.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, k));
  }

  /** D's mean probabilities on real and generated images, as last logged. */
  private static final class Probabilities implements TrainingListener {
    double dReal = Double.NaN;
    double dFake = Double.NaN;

    @Override
    public void onStep(StepRecord r) {
      dReal = r.metrics().getOrDefault("D/d_real", dReal);
      dFake = r.metrics().getOrDefault("D/d_fake", dFake);
    }
  }
}
