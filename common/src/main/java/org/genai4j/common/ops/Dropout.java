package org.genai4j.common.ops;

/**
 * Inverted dropout, PyTorch's {@code nn.Dropout}: in training each element is zeroed with
 * probability {@code p} and the kept ones are scaled by {@code 1 / (1 - p)}, so inference is the
 * identity. In inference, or when {@code p = 0}, forward returns its input itself and backward its
 * output gradient itself: no copy, no mask (a caller that changes the output in place then changes
 * the input).
 *
 * <p>The first dimension of the input is the batch's examples (pass {@code [B, T, C]}, not
 * {@code [B*T, C]}): example {@code r}'s mask comes from {@link StepContext#random}{@code (stream,
 * r)}, so a batch split over any number of shards draws the same masks. The mask is a hash of
 * each element's index keyed by that generator ({@link DropoutMask}), in loops that vectorize, and
 * the backward pass recomputes it from the examples' keys instead of storing it.
 */
public final class Dropout implements Layer {
  private final DropoutMask mask;
  private final long stream;
  private final float[] in = new float[DropoutMask.CHUNK];
  private final float[] m = new float[DropoutMask.CHUNK];
  private long[] keys = new long[0];
  /** The shape of the last training forward pass that dropped elements, null when it was the identity. */
  private int[] shape;
  private Tensor y;
  private Tensor dx;

  /** Dropout with probability {@code p} in [0, 1), drawing from random stream {@code stream} (a number unique in the model). */
  public Dropout(double p, long stream) {
    this.mask = new DropoutMask(p, "dropout");
    this.stream = stream;
  }

  public double p() {
    return mask.p();
  }

  @Override
  public Tensor forward(StepContext ctx, Tensor x) {
    if (!ctx.training() || !mask.active()) {
      shape = null;
      return x;
    }
    shape = x.shape();
    int rows = x.rows();
    int rowLength = x.rowLength();
    if (keys.length < rows) {
      keys = new long[rows];
    }
    y = Tensor.ensure(y, shape);
    for (int r = 0; r < rows; r++) {
      keys[r] = DropoutMask.key(ctx, stream, r);
    }
    apply(x, y, rows, rowLength);
    return y;
  }

  @Override
  public Tensor backward(StepContext ctx, Tensor dy) {
    if (shape == null) {
      return dy;
    }
    int rows = shape.length == 0 ? 1 : shape[0];
    if (dy.rows() != rows || dy.length() != y.length()) {
      throw new IllegalArgumentException("dropout: output gradient " + dy + " does not fit the output " + y);
    }
    dx = Tensor.ensure(dx, shape);
    apply(dy, dx, rows, dy.rowLength());
    return dx;
  }

  /** {@code out = in * mask}, row by row, with each row's mask drawn from its key. */
  private void apply(Tensor src, Tensor dst, int rows, int rowLength) {
    float[] a = in;
    float[] k = m;
    for (int r = 0; r < rows; r++) {
      int base = r * rowLength;
      for (int at = 0; at < rowLength; at += DropoutMask.CHUNK) {
        int len = Math.min(DropoutMask.CHUNK, rowLength - at);
        src.read(base + at, a, 0, len);
        mask.fill(keys[r], at, k, 0, len);
        for (int i = 0; i < len; i++) {
          a[i] *= k[i];
        }
        dst.write(base + at, a, 0, len);
      }
    }
  }
}
