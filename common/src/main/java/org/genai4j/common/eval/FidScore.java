package org.genai4j.common.eval;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * How close generated images are to real ones, through a {@link FeatureClassifier}: the Frechet
 * distance between their feature statistics (FID-style; lower is better, real-vs-real held-out
 * data is the floor) and the histogram of the classes the classifier assigns to the generated
 * images (mode coverage: a generator that drops a class shows a minimum near 0).
 *
 * @param fid the Frechet distance between real and generated features
 * @param classFractions the fraction of generated images predicted as each class
 * @param minClassFraction the smallest entry of {@code classFractions}
 */
public record FidScore(double fid, double[] classFractions, double minClassFraction) {

  /** Scores {@code generated} against {@code real} (both {@code [N, C, H, W]} in [0, 1]). */
  public static FidScore of(FeatureClassifier classifier, INDArray real, INDArray generated) {
    return of(classifier, FrechetDistance.Stats.of(classifier.features(real)), generated);
  }

  /** Scores {@code generated} against precomputed statistics of real features. */
  public static FidScore of(FeatureClassifier classifier, FrechetDistance.Stats real, INDArray generated) {
    double fid = FrechetDistance.between(real, FrechetDistance.Stats.of(classifier.features(generated)));
    int k = classifier.config().classes();
    double[] hist = new double[k];
    int[] p = classifier.predict(generated);
    for (int c : p) {
      hist[c] += 1.0 / p.length;
    }
    double min = Double.POSITIVE_INFINITY;
    for (double h : hist) {
      min = Math.min(min, h);
    }
    return new FidScore(fid, hist, min);
  }

  /** One line for logs: FID and the class coverage. */
  public String summary() {
    StringBuilder sb = new StringBuilder(String.format("FID %.3f  min class %.1f%%  classes [", fid, 100 * minClassFraction));
    for (int i = 0; i < classFractions.length; i++) {
      sb.append(i == 0 ? "" : " ").append(String.format("%.1f", 100 * classFractions[i]));
    }
    return sb.append("]%").toString();
  }
}
