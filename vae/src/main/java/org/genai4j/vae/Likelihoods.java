package org.genai4j.vae;

/**
 * The MLP kernel's likelihood terms, each one fused Java pass over the decoder output: the sum
 * of -log p(x|z) over the batch, and dLoss/d(output) (with the 1/N of the batch mean) written to
 * {@code grad}. Same definitions as {@link VaeGraph}.
 */
final class Likelihoods {
  private Likelihoods() {}

  /**
   * @param x images [n, D]
   * @param out decoder output: logits [n, D] (Bernoulli), means [n, D] (fixed Gaussian) or means
   *     then log-variances [n, 2D] (learned Gaussian)
   * @param grad receives dLoss/d(out), out's shape
   */
  static double sumAndGradient(VaeConfig config, double[] x, double[] out, double[] grad, int n, double invN) {
    return switch (config.likelihood()) {
      case BERNOULLI -> bernoulli(x, out, grad, invN);
      case GAUSSIAN_FIXED -> gaussianFixed(x, out, grad, config.gaussianStd(), invN);
      case GAUSSIAN_LEARNED -> gaussianLearned(x, out, grad, n, config.inputSize(), invN);
    };
  }

  /**
   * softplus(l) - x l from the logits l, and its gradient sigmoid(l) - x, both from one
   * e = exp(-|l|), so large |l| neither overflows nor loses the result: softplus(l) = max(l, 0) +
   * log(1 + e). (VaeGraph's guard, linear beyond 30, differs by under 1e-13 per pixel there.)
   */
  private static double bernoulli(double[] x, double[] logits, double[] grad, double invN) {
    double sum = 0;
    for (int i = 0; i < logits.length; i++) {
      double l = logits[i];
      double xi = x[i];
      double e = Math.exp(-Math.abs(l));
      double onePlusE = 1 + e;
      sum += Math.max(l, 0) + Math.log(onePlusE) - xi * l;
      double sigmoid = (l >= 0 ? 1 : e) / onePlusE;
      grad[i] = (sigmoid - xi) * invN;
    }
    return sum;
  }

  /** (out - x)^2 / (2 var) + log(2 pi var) / 2 per pixel. */
  private static double gaussianFixed(double[] x, double[] mean, double[] grad, double std, double invN) {
    double var = std * std;
    double sumSq = 0;
    for (int i = 0; i < mean.length; i++) {
      double diff = mean[i] - x[i];
      grad[i] = diff * invN / var;
      sumSq += diff * diff;
    }
    return sumSq * (0.5 / var) + 0.5 * Math.log(2 * Math.PI * var) * mean.length;
  }

  /** ((mean - x)^2 exp(-lv) + lv + log(2 pi)) / 2 per pixel, mean and lv side by side per row. */
  private static double gaussianLearned(double[] x, double[] out, double[] grad, int n, int d, double invN) {
    double sum = 0;
    for (int r = 0; r < n; r++) {
      int row = r * 2 * d;
      for (int c = 0; c < d; c++) {
        double lv = out[row + d + c];
        double precision = Math.exp(-lv);
        double diff = out[row + c] - x[r * d + c];
        double scaledSq = diff * diff * precision;
        grad[row + c] = diff * precision * invN;
        grad[row + d + c] = 0.5 * invN * (1 - scaledSq);
        sum += scaledSq + lv;
      }
    }
    return 0.5 * (sum + Math.log(2 * Math.PI) * n * d);
  }
}
