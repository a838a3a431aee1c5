package org.genai4j.gan;

import java.util.Arrays;
import java.util.Locale;
import org.genai4j.common.eval.FeatureClassifier;
import org.genai4j.common.eval.FidScore;
import org.genai4j.common.eval.FrechetDistance;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Scores a trained {@link Dcgan} against real images with a classifier trained on the same data
 * (Inception weights are not available offline): the Frechet distance between the classifier's
 * features of generated and real images (FID-style, lower is better), and the share of generated
 * images the classifier puts in each class (mode coverage: a dropped class shows a share near 0).
 */
public final class GanEvaluation {
  private GanEvaluation() {}

  /**
   * What {@link #evaluate} measured.
   *
   * @param score the Frechet distance and the generated images' class shares
   * @param samples generated images scored
   */
  public record Scores(FidScore score, int samples) {

    public double fid() {
      return score.fid();
    }

    /** The smallest class share in percent (10 classes evenly covered: 10). */
    public double minClassPercent() {
      return 100 * score.minClassFraction();
    }

    /** The one line the CLI prints: {@code fid=<x> classes_min_pct=<y>}. */
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "fid=%.3f classes_min_pct=%.2f", fid(), minClassPercent());
    }
  }

  /**
   * Generates {@code samples} images from noise drawn with {@code seed} and scores them against
   * {@code realImages01} ({@code [N, C, H, W]} in [0, 1], e.g. the test split).
   */
  public static Scores evaluate(Dcgan model, INDArray realImages01, FeatureClassifier classifier, int samples,
      long seed) {
    DcganConfig c = model.config();
    long[] want = {c.channels(), c.imageSize(), c.imageSize()};
    if (realImages01 == null || realImages01.rank() != 4
        || !Arrays.equals(Arrays.copyOfRange(realImages01.shape(), 1, 4), want) || realImages01.size(0) < 2) {
      throw new IllegalArgumentException("real images must be [N, " + want[0] + ", " + want[1] + ", " + want[2]
          + "] with N >= 2 for this model, got " + (realImages01 == null ? "null" : Arrays.toString(realImages01.shape())));
    }
    return evaluate(model, FrechetDistance.Stats.of(classifier.features(realImages01)), classifier, samples, seed);
  }

  /** The same against precomputed statistics of the real images' features. */
  public static Scores evaluate(Dcgan model, FrechetDistance.Stats realFeatures, FeatureClassifier classifier,
      int samples, long seed) {
    if (samples < 2) {
      throw new IllegalArgumentException("samples must be >= 2 (a covariance needs two images), got " + samples);
    }
    return new Scores(FidScore.of(classifier, realFeatures, model.generate(samples, seed)), samples);
  }
}
