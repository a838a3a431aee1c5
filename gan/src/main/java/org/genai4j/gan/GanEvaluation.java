package org.genai4j.gan;

import java.util.Arrays;
import java.util.function.Function;
import java.util.function.ToDoubleBiFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Scores generated images against held-out real ones with a classifier trained on the same data
 * (Inception weights are not available offline): the Frechet distance between the classifier's
 * features of generated and real images, the same distance between two halves of the real images
 * (the floor a perfect generator would reach at that sample size), and the class histogram of the
 * generated images (mode coverage). The classifier and the Frechet distance are passed in as
 * functions, so this module does not depend on a particular classifier.
 */
public final class GanEvaluation {
  private GanEvaluation() {}

  /**
   * @param fid Frechet distance between generated and real features (same number of images each)
   * @param realFloor Frechet distance between two disjoint halves of the real images
   * @param classPercent percentage of generated images predicted as each class
   * @param samples images per side in each distance
   */
  public record Scores(double fid, double realFloor, double[] classPercent, int samples) {

    /** The smallest class share in percent: mode coverage (10 classes evenly covered: 10). */
    public double minClassPercent() {
      return Arrays.stream(classPercent).min().orElse(Double.NaN);
    }

    /** The one line the CLI prints: {@code fid=<x> classes_min_pct=<y>}. */
    public String summaryLine() {
      return String.format(java.util.Locale.ROOT, "fid=%.3f classes_min_pct=%.2f", fid, minClassPercent());
    }

    @Override
    public String toString() {
      return summaryLine() + String.format(java.util.Locale.ROOT, " real_floor=%.3f samples=%d classes_pct=%s",
          realFloor, samples, Arrays.toString(Arrays.stream(classPercent).map(p -> Math.round(p * 10) / 10.0).toArray()));
    }
  }

  /**
   * Scores {@code generated} against {@code real} (both {@code [N, C, H, W]} in [0, 1]). The real
   * images are split in halves A and B; FID compares the first |B| generated images with B, the
   * floor compares A with B, so both use the same sample size.
   *
   * @param features images -> feature rows {@code [N, F]} (e.g. the classifier's penultimate layer)
   * @param frechet Frechet distance between two feature matrices (rows are samples)
   * @param predict images -> class indices {@code [N]} or class scores {@code [N, K]}
   * @param classes number of classes K
   */
  public static Scores evaluate(INDArray generated, INDArray real, Function<INDArray, INDArray> features,
      ToDoubleBiFunction<INDArray, INDArray> frechet, Function<INDArray, INDArray> predict, int classes) {
    check("generated", generated);
    check("real", real);
    if (!Arrays.equals(Arrays.copyOfRange(generated.shape(), 1, 4), Arrays.copyOfRange(real.shape(), 1, 4))) {
      throw new IllegalArgumentException("generated images " + Arrays.toString(generated.shape())
          + " and real images " + Arrays.toString(real.shape()) + " differ in [C, H, W]");
    }
    long half = real.size(0) / 2;
    long m = Math.min(half, generated.size(0));
    if (m < 2) {
      throw new IllegalArgumentException("need at least 4 real and 2 generated images, got "
          + real.size(0) + " and " + generated.size(0));
    }
    INDArray realA = real.get(NDArrayIndex.interval(0, m));
    INDArray realB = real.get(NDArrayIndex.interval(half, half + m));
    INDArray gen = generated.get(NDArrayIndex.interval(0, m));
    INDArray fB = features.apply(realB);
    double fid = frechet.applyAsDouble(features.apply(gen), fB);
    double floor = frechet.applyAsDouble(features.apply(realA), fB);
    return new Scores(fid, floor, classHistogram(predict.apply(generated), classes), (int) m);
  }

  /** Percentage of rows per class, from class indices {@code [N]} or scores {@code [N, K]} (argmax). */
  public static double[] classHistogram(INDArray predictions, int classes) {
    if (classes < 1) {
      throw new IllegalArgumentException("number of classes must be >= 1, got " + classes);
    }
    INDArray idx = predictions.rank() == 2 && predictions.size(1) > 1 ? predictions.argMax(1) : predictions.reshape(-1);
    double[] pct = new double[classes];
    long n = idx.length();
    for (long i = 0; i < n; i++) {
      int k = (int) idx.getDouble(i);
      if (k < 0 || k >= classes) {
        throw new IllegalArgumentException("predicted class " + k + " is outside [0, " + classes + ")");
      }
      pct[k] += 100.0 / n;
    }
    return pct;
  }

  private static void check(String what, INDArray images) {
    if (images == null || images.rank() != 4) {
      throw new IllegalArgumentException(what + " images must be [N, C, H, W], got "
          + (images == null ? "null" : Arrays.toString(images.shape())));
    }
  }
}
