package org.genai4j.vae;

import java.util.Locale;
import org.genai4j.common.util.Progress;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Test-set figures of a VAE, in nats per image: the negative ELBO (one z sample per image), and
 * the importance-weighted bound of Burda et al. with k samples, {@code log p(x) >= E[log 1/k
 * sum_j p(x, z_j) / q(z_j|x)]}, whose negation estimates the negative log-likelihood from above
 * and tightens as k grows.
 */
public final class VaeEvaluation {
  private VaeEvaluation() {}

  /**
   * @param negElbo mean negative ELBO (reconstruction + kl)
   * @param reconstruction mean reconstruction negative log-likelihood
   * @param kl mean KL(q(z|x) || p(z))
   * @param nllIw mean negative importance-weighted bound (NaN when {@code iwSamples} was 0)
   * @param iwSamples k of the importance-weighted bound
   * @param images number of images evaluated
   */
  public record Result(double negElbo, double reconstruction, double kl, double nllIw, int iwSamples, int images) {
    /** The CLI's summary line: {@code neg_elbo=<x> nll_iw=<y>} ({@code neg_elbo=<x>} alone when the bound was skipped). */
    @Override
    public String toString() {
      return iwSamples == 0
          ? String.format(Locale.ROOT, "neg_elbo=%.3f", negElbo)
          : String.format(Locale.ROOT, "neg_elbo=%.3f nll_iw=%.3f", negElbo, nllIw);
    }
  }

  /**
   * Evaluates {@code images} [N, C, H, W]; {@code iwSamples} = 0 skips the importance-weighted
   * bound. Deterministic for a given seed.
   */
  public static Result evaluate(Vae vae, INDArray images, int iwSamples, long seed) {
    return evaluate(vae, images, iwSamples, seed, 0, Progress.silent());
  }

  /**
   * As {@link #evaluate(Vae, INDArray, int, long)}, on up to {@code threads} threads (0: one per
   * core when ND4J runs single-threaded; the figures do not depend on it), advancing {@code
   * progress} by the images the importance-weighted bound has done (its k decoder passes per image
   * are the long part).
   */
  public static Result evaluate(Vae vae, INDArray images, int iwSamples, long seed, int threads, Progress progress) {
    if (iwSamples < 0) {
      throw new IllegalArgumentException("number of importance samples must be >= 0, got " + iwSamples);
    }
    if (threads < 0) {
      throw new IllegalArgumentException("threads must be >= 0 (0: default), got " + threads);
    }
    Vae.PerImage s = vae.score(images, seed, threads);
    double recon = mean(s.reconstruction());
    double kl = mean(s.kl());
    double nllIw = iwSamples == 0 ? Double.NaN
        : -mean(importanceWeightedBound(vae, images, iwSamples, seed + 1, threads, progress));
    return new Result(recon + kl, recon, kl, nllIw, iwSamples, s.kl().length);
  }

  /**
   * Per-image importance-weighted lower bounds on log p(x) with {@code k} samples each (k = 1 gives
   * the ELBO), in nats.
   */
  public static double[] importanceWeightedBound(Vae vae, INDArray images, int k, long seed) {
    return importanceWeightedBound(vae, images, k, seed, 0, Progress.silent());
  }

  private static double[] importanceWeightedBound(Vae vae, INDArray images, int k, long seed, int threads,
      Progress progress) {
    if (k < 1) {
      throw new IllegalArgumentException("number of importance samples must be >= 1, got " + k);
    }
    double[][] logw = vae.logImportanceWeights(images, k, seed, threads, progress);
    double[] out = new double[logw.length];
    for (int i = 0; i < logw.length; i++) {
      out[i] = logMeanExp(logw[i]);
    }
    return out;
  }

  /**
   * Per-image negative ELBO: an anomaly score (images the model finds unlikely score high).
   */
  public static double[] anomalyScores(Vae vae, INDArray images, long seed) {
    return vae.score(images, seed).negElbo();
  }

  /** log(1/k sum exp(v)) without overflow: shift by the maximum. */
  static double logMeanExp(double[] v) {
    double max = Double.NEGATIVE_INFINITY;
    for (double x : v) {
      max = Math.max(max, x);
    }
    if (max == Double.NEGATIVE_INFINITY || Double.isNaN(max)) {
      return max;
    }
    double sum = 0;
    for (double x : v) {
      sum += Math.exp(x - max);
    }
    return max + Math.log(sum / v.length);
  }

  private static double mean(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return s / v.length;
  }
}
