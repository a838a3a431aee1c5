package org.genai4j.common.ops;

/**
 * The negative log-likelihood of targets under a Gaussian, per element {@code (t - m)^2 / (2 var)
 * + log(2 pi var) / 2}, summed over each example's elements and averaged over the batch's
 * examples (counted over all shards with {@code ctx.allReduceSum}, so the shards' losses and
 * gradients add up to the batch's): a VAE's reconstruction term {@code -log p(x|z)} for
 * real-valued pixels, PyTorch's {@code GaussianNLLLoss(full=True, reduction='sum') / N}. Two forms:
 * <ul>
 *   <li>{@link #fixedStd}: the output holds the means, one per target element (any shape of the
 *       same length and example count, e.g. {@code [N, 784]} for images {@code [N, 1, 28, 28]});
 *       gradient {@code (m - t) / var};
 *   <li>{@link #learnedVariance}: each example's output row holds the means (as many as the
 *       example has targets) then as many log-variances: an MLP's {@code [N, 2D]}, or a
 *       convolutional decoder's {@code [N, 2C, H, W]} (mean channels first); gradients {@code (m -
 *       t) exp(-lv)} and {@code (1 - (t - m)^2 exp(-lv)) / 2}.
 * </ul>
 *
 * <p>A loss, not a {@link Layer}: {@link #forward} returns this shard's part of the batch's loss,
 * {@link #backward} the gradient of that part. The loops run over chunks copied into Java arrays;
 * in training the forward pass keeps the gradient, so the backward pass is one scaling.
 */
public final class GaussianNll {
  private static final int CHUNK = 2048;
  private static final double LOG_2PI = Math.log(2 * Math.PI);

  /** The fixed variance, or NaN when the output carries log-variances. */
  private final double variance;
  private final float[] ms = new float[CHUNK];
  private final float[] ls = new float[CHUNK];
  private final float[] ts = new float[CHUNK];
  private final float[] gm = new float[CHUNK];
  private final float[] gl = new float[CHUNK];
  private final float[] terms = new float[CHUNK];
  private final KeptGradient kept = new KeptGradient("gaussian NLL");
  /** The per-element gradient of the summed loss, or null outside training. */
  private float[] grad;
  private int length;

  private GaussianNll(double variance) {
    this.variance = variance;
  }

  /** Every element with standard deviation {@code std}; the output holds the means. */
  public static GaussianNll fixedStd(double std) {
    if (!(std > 0) || !Double.isFinite(std)) {
      throw new IllegalArgumentException("gaussian NLL needs a finite standard deviation > 0, got " + std);
    }
    return new GaussianNll(std * std);
  }

  /** Each example's output row holds its means, then their log-variances. */
  public static GaussianNll learnedVariance() {
    return new GaussianNll(Double.NaN);
  }

  /** Whether the output carries log-variances (twice the targets' elements per example). */
  public boolean learnsVariance() {
    return Double.isNaN(variance);
  }

  /** This shard's part of the batch's loss for {@code output} {@code [N, ...]} and {@code targets} {@code [N, ...]}. */
  public double forward(StepContext ctx, Tensor output, Tensor targets) {
    int n = output.rows();
    int per = learnsVariance() ? 2 : 1;
    if (output.rank() < 1 || targets.rank() < 1 || targets.rows() != n
        || (long) targets.length() * per != output.length()) {
      throw new IllegalArgumentException("gaussian NLL: output " + output + " must have " + (per == 2 ? "twice " : "")
          + "the elements of the targets " + targets + (per == 2 ? " (means then log-variances per example)" : "")
          + ", with as many examples");
    }
    length = output.length();
    grad = kept.start(ctx, output.shape(), length);
    double sum = learnsVariance() ? learned(output, targets, n) : fixed(output, targets);
    return sum / kept.divideBy(ctx, n);
  }

  /** The sum over all elements of {@code (t - m)^2 / (2 var) + log(2 pi var) / 2}; keeps {@code (m - t) / var}. */
  private double fixed(Tensor output, Tensor targets) {
    float inv = (float) (1 / variance);
    double squares = 0;
    for (int at = 0; at < length; at += CHUNK) {
      int m = Math.min(CHUNK, length - at);
      output.read(at, ms, 0, m);
      targets.read(at, ts, 0, m);
      float[] mean = ms;
      float[] t = ts;
      float[] g = gm;
      float[] sq = terms;
      for (int i = 0; i < m; i++) {
        float d = mean[i] - t[i];
        g[i] = d * inv;
        sq[i] = d * d;
      }
      squares += RowMath.sum(sq, 0, m);
      if (grad != null) {
        System.arraycopy(g, 0, grad, at, m);
      }
    }
    return 0.5 * squares / variance + 0.5 * length * (LOG_2PI + Math.log(variance));
  }

  /**
   * The sum over all target elements of {@code ((t - m)^2 exp(-lv) + lv + log 2 pi) / 2}, example
   * by example (means and log-variances are the two halves of its output row); keeps both gradients.
   */
  private double learned(Tensor output, Tensor targets, int n) {
    int d = n == 0 ? 0 : targets.length() / n;
    double sum = 0;
    for (int r = 0; r < n; r++) {
      int row = r * 2 * d;
      for (int c = 0; c < d; c += CHUNK) {
        int m = Math.min(CHUNK, d - c);
        output.read(row + c, ms, 0, m);
        output.read(row + d + c, ls, 0, m);
        targets.read(r * d + c, ts, 0, m);
        float[] mean = ms;
        float[] lv = ls;
        float[] t = ts;
        float[] dMean = gm;
        float[] dLv = gl;
        float[] term = terms;
        for (int i = 0; i < m; i++) {
          dLv[i] = FastMath.exp(-lv[i]);
        }
        for (int i = 0; i < m; i++) {
          float precision = dLv[i];
          float diff = mean[i] - t[i];
          float q = diff * diff * precision;
          dMean[i] = diff * precision;
          dLv[i] = 0.5f * (1f - q);
          term[i] = q + lv[i];
        }
        sum += RowMath.sum(term, 0, m);
        if (grad != null) {
          System.arraycopy(dMean, 0, grad, row + c, m);
          System.arraycopy(dLv, 0, grad, row + d + c, m);
        }
      }
    }
    return 0.5 * (sum + (double) n * d * LOG_2PI);
  }

  /** The gradient of this shard's loss with respect to the output (a buffer of this op). */
  public Tensor backward(StepContext ctx) {
    return backward(ctx, 1f);
  }

  /** The gradient of {@code weight} times this shard's loss with respect to the output. */
  public Tensor backward(StepContext ctx, float weight) {
    return kept.scaled(weight);
  }

  @Override
  public String toString() {
    return learnsVariance() ? "GaussianNll(learned variance)" : "GaussianNll(std " + Math.sqrt(variance) + ")";
  }
}
