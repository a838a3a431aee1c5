package org.genai4j.common.ops;

/**
 * Binary cross-entropy with logits, PyTorch's {@code BCEWithLogitsLoss}: per element {@code
 * max(x, 0) - x t + log(1 + exp(-|x|))}, which is {@code -t log sigmoid(x) - (1 - t) log(1 -
 * sigmoid(x))} without overflow for any logit, and gradient {@code sigmoid(x) - t}. Targets come
 * with each call: one constant (a GAN's real or fake label), one per example (label smoothing
 * per row, e.g. 0.9 for the real half of a stacked batch and 0 for the fake half) or one per
 * element (a VAE's Bernoulli likelihood of the image, targets = the pixels in [0, 1]).
 *
 * <p>A loss, not a {@link Layer}: {@link #forward} returns this shard's part of the whole batch's
 * loss, {@link #backward} the gradient of that part. The reduction is a mean over the batch's
 * examples (dimension 0), counted over all shards with {@code ctx.allReduceSum}, so the shards'
 * losses and gradients add up to the batch's:
 * <ul>
 *   <li>{@link Reduction#MEAN_OF_EXAMPLE_SUMS} (the default): each example's elements summed, the
 *       sums averaged over the examples; a VAE's reconstruction term {@code -log p(x|z)} per image
 *       for {@code [N, D]} logits, and the plain mean for a GAN's {@code [N, 1]} logits;
 *   <li>{@link Reduction#MEAN_OF_ELEMENTS}: the mean over every element of the batch (PyTorch's
 *       default {@code reduction='mean'}).
 * </ul>
 *
 * <p>Speed: the logits go through Java arrays a chunk at a time; the sigmoid is {@code 0.5 + 0.5
 * tanh(x / 2)} in a vectorized loop ({@link FastMath#tanh}), and {@code log(1 + exp(-|x|)) =
 * -log max(s, 1 - s)} turns into one {@code log} per 256 elements, of a product of factors in
 * [0.5, 1]. In training the forward pass keeps {@code sigmoid(x) - t}, so the backward pass is
 * one scaling.
 */
public final class SigmoidCrossEntropy {

  /** How the elements' losses make the batch's loss. */
  public enum Reduction {
    /** Sum over each example's elements, mean over the examples. */
    MEAN_OF_EXAMPLE_SUMS,
    /** Mean over all elements. */
    MEAN_OF_ELEMENTS
  }

  private static final int CHUNK = 2048;
  /** Factors in [0.5, 1] multiplied before one log: 256 keep the product above 2^-256. */
  private static final int PRODUCT = 256;

  private final Reduction reduction;
  private final float[] xs = new float[CHUNK];
  private final float[] ts = new float[CHUNK];
  private final float[] gs = new float[CHUNK];
  private final float[] ps = new float[CHUNK];
  private float[] rowTargets = new float[0];
  private final KeptGradient kept = new KeptGradient("sigmoid cross-entropy");

  /** Mean over examples of each example's summed loss. */
  public SigmoidCrossEntropy() {
    this(Reduction.MEAN_OF_EXAMPLE_SUMS);
  }

  public SigmoidCrossEntropy(Reduction reduction) {
    this.reduction = reduction;
  }

  public Reduction reduction() {
    return reduction;
  }

  /** This shard's part of the batch's loss for logits {@code [N, ...]} and one target for every element. */
  public double forward(StepContext ctx, Tensor logits, float target) {
    return forward(ctx, logits, null, target);
  }

  /**
   * This shard's part of the batch's loss for logits {@code [N, ...]} and {@code targets} with
   * either one value per element (any shape of the same length, e.g. images {@code [N, 1, 28, 28]}
   * for logits {@code [N, 784]}) or one per example ({@code N} values).
   */
  public double forward(StepContext ctx, Tensor logits, Tensor targets) {
    return forward(ctx, logits, targets, 0f);
  }

  private double forward(StepContext ctx, Tensor logits, Tensor targets, float constant) {
    if (logits.rank() < 1) {
      throw new IllegalArgumentException("sigmoid cross-entropy takes logits [N, ...], got " + logits);
    }
    int n = logits.rows();
    int len = logits.length();
    int rowLen = n == 0 ? 0 : len / n;
    boolean perRow = false;
    if (targets != null) {
      if (targets.length() == len && targets.rows() == n) {
        perRow = false;
      } else if (targets.length() == n) {
        perRow = true;
        rowTargets = targets.length() > rowTargets.length ? new float[n] : rowTargets;
        targets.read(0, rowTargets, 0, n);
      } else {
        throw new IllegalArgumentException("sigmoid cross-entropy: targets must be one per element of the logits "
            + logits + " or one per example (" + n + "), got " + targets);
      }
    }
    float[] grad = kept.start(ctx, logits.shape(), len);
    double linear = 0;
    double logs = 0;
    for (int at = 0; at < len; at += CHUNK) {
      int m = Math.min(CHUNK, len - at);
      logits.read(at, xs, 0, m);
      if (targets == null) {
        java.util.Arrays.fill(ts, 0, m, constant);
      } else if (!perRow) {
        targets.read(at, ts, 0, m);
      } else {
        for (int i = 0; i < m; i++) {
          ts[i] = rowTargets[(at + i) / rowLen];
        }
      }
      float[] x = xs;
      float[] t = ts;
      float[] g = gs;
      float[] p = ps;
      for (int i = 0; i < m; i++) {
        float s = 0.5f + 0.5f * FastMath.tanh(0.5f * x[i]);
        g[i] = s - t[i];
        p[i] = 0.5f + Math.abs(s - 0.5f);
      }
      double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
      int i = 0;
      while (i + 3 < m) {
        double p0 = 1, p1 = 1, p2 = 1, p3 = 1;
        int end = Math.min(m - 3, i + PRODUCT);
        for (; i < end; i += 4) {
          p0 *= p[i];
          p1 *= p[i + 1];
          p2 *= p[i + 2];
          p3 *= p[i + 3];
          a0 += Math.max(x[i], 0f) - (double) x[i] * t[i];
          a1 += Math.max(x[i + 1], 0f) - (double) x[i + 1] * t[i + 1];
          a2 += Math.max(x[i + 2], 0f) - (double) x[i + 2] * t[i + 2];
          a3 += Math.max(x[i + 3], 0f) - (double) x[i + 3] * t[i + 3];
        }
        logs += Math.log((p0 * p1) * (p2 * p3));
      }
      for (; i < m; i++) {
        logs += Math.log(p[i]);
        a0 += Math.max(x[i], 0f) - (double) x[i] * t[i];
      }
      linear += (a0 + a1) + (a2 + a3);
      if (grad != null) {
        System.arraycopy(g, 0, grad, at, m);
      }
    }
    return (linear - logs) / kept.divideBy(ctx, reduction == Reduction.MEAN_OF_ELEMENTS ? len : n);
  }

  /** The gradient of this shard's loss with respect to the logits (a buffer of this op). */
  public Tensor backward(StepContext ctx) {
    return backward(ctx, 1f);
  }

  /** The gradient of {@code weight} times this shard's loss with respect to the logits. */
  public Tensor backward(StepContext ctx, float weight) {
    return kept.scaled(weight);
  }
}
