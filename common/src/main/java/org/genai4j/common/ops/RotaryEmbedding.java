package org.genai4j.common.ops;

/**
 * Rotary position embedding (Su et al., RoFormer; Llama): each head's vector is cut into {@code
 * d/2} pairs and pair {@code i} of the vector at position {@code p} is rotated by the angle {@code
 * p * theta^(-2i/d)}, so that a query-key product depends on the two positions only through their
 * difference. No parameters: a table of cosines and sines {@code [maxPositions, d/2]} is computed
 * once and may be shared by every layer of a model.
 *
 * <p>Two layouts pair the coordinates differently: Hugging Face's Llama rotates coordinate {@code
 * i} with {@code i + d/2} ({@link Layout#HALVES}), Meta's original code and llama2.c rotate {@code
 * 2i} with {@code 2i + 1} ({@link Layout#PAIRS}). A checkpoint's q and k weights are made for one
 * of them; the two are the same model up to a permutation of those weights' rows.
 *
 * <p>The angles are computed as both references do in float32: the frequency {@code
 * (float) theta^(-2i/d)}, the angle {@code (float) (p * frequency)}, then its cosine and sine.
 */
public final class RotaryEmbedding {

  /** Which coordinates of a head form a rotated pair. */
  public enum Layout {
    /** {@code (i, i + d/2)}: Hugging Face's {@code rotate_half}. */
    HALVES,
    /** {@code (2i, 2i + 1)}: Meta's complex-number form and llama2.c. */
    PAIRS
  }

  private final int headSize;
  private final int half;
  private final int maxPositions;
  private final double theta;
  private final Layout layout;
  private final float[] cos;
  private final float[] sin;
  private float[] row = new float[0];

  /** A rotary embedding for heads of {@code headSize} (even) at positions {@code 0 .. maxPositions - 1}. */
  public RotaryEmbedding(int headSize, int maxPositions, double theta, Layout layout) {
    if (headSize < 2 || headSize % 2 != 0) {
      throw new IllegalArgumentException("rotary embedding: the head size must be even, got " + headSize);
    }
    if (maxPositions < 1) {
      throw new IllegalArgumentException("rotary embedding: positions must be >= 1, got " + maxPositions);
    }
    if (!(theta > 1) || Double.isInfinite(theta)) {
      throw new IllegalArgumentException("rotary embedding: theta must be a finite number > 1, got " + theta);
    }
    if (layout == null) {
      throw new IllegalArgumentException("rotary embedding: layout must be HALVES or PAIRS, got null");
    }
    this.headSize = headSize;
    this.half = headSize / 2;
    this.maxPositions = maxPositions;
    this.theta = theta;
    this.layout = layout;
    cos = new float[maxPositions * half];
    sin = new float[maxPositions * half];
    for (int i = 0; i < half; i++) {
      float frequency = (float) Math.pow(theta, -2.0 * i / headSize);
      for (int p = 0; p < maxPositions; p++) {
        float angle = p * frequency;
        cos[p * half + i] = (float) Math.cos(angle);
        sin[p * half + i] = (float) Math.sin(angle);
      }
    }
  }

  public int headSize() {
    return headSize;
  }

  public int maxPositions() {
    return maxPositions;
  }

  public double theta() {
    return theta;
  }

  public Layout layout() {
    return layout;
  }

  /**
   * Rotates, in place, {@code heads} heads stored side by side from column {@code column} of every
   * row of {@code x} (rows of {@code width}, {@code [batch, time, width]}): row {@code (b, t)} is at
   * position {@code pos + t}. {@code inverse} rotates by the opposite angles (the transpose, which
   * is the backward pass of a rotation).
   */
  public void rotate(Tensor x, int batch, int time, int width, int column, int heads, int pos, boolean inverse) {
    int span = heads * headSize;
    if (pos < 0 || pos + time > maxPositions) {
      throw new IllegalArgumentException("rotary embedding: positions [" + pos + ", " + (pos + time)
          + ") exceed the table's " + maxPositions);
    }
    if (column < 0 || column + span > width || x.length() != batch * time * width) {
      throw new IllegalArgumentException("rotary embedding: " + heads + " heads of " + headSize + " from column "
          + column + " do not fit rows of " + width + " in " + x);
    }
    if (row.length < span) {
      row = new float[span];
    }
    float sign = inverse ? -1f : 1f;
    for (int b = 0; b < batch; b++) {
      for (int t = 0; t < time; t++) {
        int at = (b * time + t) * width + column;
        x.read(at, row, 0, span);
        rotateRow(row, span, pos + t, sign);
        x.write(at, row, 0, span);
      }
    }
  }

  /** Rotates the heads of {@code v[0 .. span)} to position {@code p}, by the opposite angles when {@code sign} is -1. */
  private void rotateRow(float[] v, int span, int p, float sign) {
    int table = p * half;
    int step = layout == Layout.HALVES ? 1 : 2;
    int partner = layout == Layout.HALVES ? half : 1;
    for (int h = 0; h < span; h += headSize) {
      for (int i = 0; i < half; i++) {
        int a = h + i * step;
        int b = a + partner;
        float c = cos[table + i];
        float s = sign * sin[table + i];
        float x0 = v[a];
        float x1 = v[b];
        v[a] = x0 * c - x1 * s;
        v[b] = x0 * s + x1 * c;
      }
    }
  }
}
