package org.genai4j.common.ops;

/**
 * Softmax cross-entropy of logits {@code [..., V]} against int targets, PyTorch's {@code
 * F.cross_entropy} with {@code ignore_index} (default -100) and mean reduction: rows whose target
 * is the ignore index count for nothing, and the loss is the sum over the other rows divided by
 * their number over the WHOLE batch, which the shards add up with {@link
 * StepContext#allReduceSum}. So each shard returns its part of the batch's mean, and the shards'
 * losses and gradients add up to the batch's. A batch with no real target has loss 0 and gradient
 * 0 (PyTorch gives NaN).
 *
 * <p>One pass per row: the max, {@code exp(l - max)} with {@link FastMath#exp} summed with four
 * accumulators, the log-sum-exp and, in training, the gradient {@code (softmax - onehot) / count}
 * from the same exponentials, so the backward pass only returns it. The gradient goes to a tensor
 * of the op, or, after {@link #gradientInLogits()}, over the logits themselves: a vocabulary of
 * 50257 and 1024 rows of logits are 200 MB, and a training step rarely needs them after the loss.
 * The caller may choose that when nothing reads the logits after this forward pass: an output
 * {@link Linear} keeps its input, not its output, so its logits may be overwritten; a caller that
 * also wants the logits (accuracy, sampling) must not.
 */
public final class SoftmaxCrossEntropy {
  public static final int DEFAULT_IGNORE_INDEX = -100;

  private final int ignoreIndex;
  private boolean inPlace;
  private float[] row = new float[0];
  private Tensor grad;
  private Tensor gradient;
  private double count;

  /** Cross-entropy ignoring targets of -100. */
  public SoftmaxCrossEntropy() {
    this(DEFAULT_IGNORE_INDEX);
  }

  /** Cross-entropy ignoring targets equal to {@code ignoreIndex} (which must not be a class, so negative). */
  public SoftmaxCrossEntropy(int ignoreIndex) {
    if (ignoreIndex >= 0) {
      throw new IllegalArgumentException("cross-entropy: the ignore index must be negative (not a class), got "
          + ignoreIndex);
    }
    this.ignoreIndex = ignoreIndex;
  }

  /**
   * Writes the gradient over the logits in training forward passes instead of into a tensor of its
   * own (see the class comment for when a caller may); {@link #backward} then returns the logits
   * tensor.
   */
  public SoftmaxCrossEntropy gradientInLogits() {
    inPlace = true;
    return this;
  }

  public int ignoreIndex() {
    return ignoreIndex;
  }

  /** The whole batch's number of real (not ignored) targets in the last forward pass. */
  public long count() {
    return Math.round(count);
  }

  /** The loss of logits {@code [..., V]} against {@code targets}, one per row. */
  public double forward(StepContext ctx, Tensor logits, int[] targets) {
    return forward(ctx, logits, targets, 0);
  }

  /**
   * This shard's part of the batch's mean loss of {@code logits} ({@code [..., V]}, N rows)
   * against {@code targets[from, from + N)}; in training, also the gradient that {@link
   * #backward} returns.
   */
  public double forward(StepContext ctx, Tensor logits, int[] targets, int from) {
    int v = logits.rank() == 0 ? 0 : logits.dim(logits.rank() - 1);
    if (v == 0) {
      throw new IllegalArgumentException("cross-entropy takes logits [..., classes], got " + logits);
    }
    int rows = logits.length() / v;
    if (from < 0 || from + rows > targets.length) {
      throw new IllegalArgumentException("cross-entropy: " + rows + " rows of logits " + logits + " need targets ["
          + from + ", " + (from + rows) + "), there are " + targets.length);
    }
    long real = 0;
    for (int n = 0; n < rows; n++) {
      int t = targets[from + n];
      if (t == ignoreIndex) {
        continue;
      }
      if (t < 0 || t >= v) {
        throw new IllegalArgumentException("cross-entropy: target " + t + " (at " + (from + n)
            + ") is outside the classes 0.." + (v - 1) + " and is not the ignore index " + ignoreIndex);
      }
      real++;
    }
    count = ctx.allReduceSum((double) real);
    double invCount = count > 0 ? 1.0 / count : 0.0;
    boolean train = ctx.training();
    if (train) {
      if (inPlace) {
        gradient = logits;
      } else {
        grad = Tensor.ensure(grad, logits.shape());
        gradient = grad;
      }
    } else {
      gradient = null;
    }
    if (row.length < v) {
      row = new float[v];
    }
    float[] l = row;
    double loss = 0;
    float inv = (float) invCount;
    for (int n = 0; n < rows; n++) {
      int t = targets[from + n];
      if (t == ignoreIndex) {
        if (train) {
          java.util.Arrays.fill(l, 0, v, 0f);
          gradient.write(n * v, l, 0, v);
        }
        continue;
      }
      logits.read(n * v, l, 0, v);
      float target = l[t];
      float max = RowMath.max(l, 0, v);
      float sum = RowMath.expShiftedSum(l, max, 0, v);
      loss += max + Math.log(sum) - target;
      if (train) {
        float scale = inv / sum;
        for (int c = 0; c < v; c++) {
          l[c] *= scale;
        }
        l[t] -= inv;
        gradient.write(n * v, l, 0, v);
      }
    }
    return loss * invCount;
  }

  /** The gradient of the last (training) forward pass's loss with respect to its logits. */
  public Tensor backward(StepContext ctx) {
    if (gradient == null) {
      throw new IllegalStateException("cross-entropy: backward needs a forward pass in training mode");
    }
    return gradient;
  }
}
