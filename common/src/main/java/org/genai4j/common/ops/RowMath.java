package org.genai4j.common.ops;

/**
 * Sums over runs of Java arrays for the row loops of norms, softmaxes and attention. Each sum
 * keeps four partial accumulators: one running float sum is a chain of dependent adds (C2 keeps
 * float sums in program order), four chains run in parallel. The result differs from a single
 * chain by float rounding only. Every array of one call is indexed at the same position, so the
 * products vectorize.
 */
final class RowMath {
  private RowMath() {}

  /** {@code sum a[from..to)}. */
  static float sum(float[] a, int from, int to) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int c = from;
    for (; c + 3 < to; c += 4) {
      s0 += a[c];
      s1 += a[c + 1];
      s2 += a[c + 2];
      s3 += a[c + 3];
    }
    for (; c < to; c++) {
      s0 += a[c];
    }
    return (s0 + s1) + (s2 + s3);
  }

  /** {@code sum (a[c] - mean)^2} over {@code [0, n)}. */
  static float sumOfSquaredDeviations(float[] a, float mean, int n) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int c = 0;
    for (; c + 3 < n; c += 4) {
      float d0 = a[c] - mean;
      float d1 = a[c + 1] - mean;
      float d2 = a[c + 2] - mean;
      float d3 = a[c + 3] - mean;
      s0 += d0 * d0;
      s1 += d1 * d1;
      s2 += d2 * d2;
      s3 += d3 * d3;
    }
    for (; c < n; c++) {
      float d = a[c] - mean;
      s0 += d * d;
    }
    return (s0 + s1) + (s2 + s3);
  }

  /** {@code sum a[c] b[c]} over {@code [from, to)}. */
  static float dot(float[] a, float[] b, int from, int to) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int c = from;
    for (; c + 3 < to; c += 4) {
      s0 += a[c] * b[c];
      s1 += a[c + 1] * b[c + 1];
      s2 += a[c + 2] * b[c + 2];
      s3 += a[c + 3] * b[c + 3];
    }
    for (; c < to; c++) {
      s0 += a[c] * b[c];
    }
    return (s0 + s1) + (s2 + s3);
  }

  /** {@code max a[from..to)}, or negative infinity for an empty run. */
  static float max(float[] a, int from, int to) {
    float m0 = Float.NEGATIVE_INFINITY, m1 = m0, m2 = m0, m3 = m0;
    int c = from;
    for (; c + 3 < to; c += 4) {
      m0 = Math.max(m0, a[c]);
      m1 = Math.max(m1, a[c + 1]);
      m2 = Math.max(m2, a[c + 2]);
      m3 = Math.max(m3, a[c + 3]);
    }
    for (; c < to; c++) {
      m0 = Math.max(m0, a[c]);
    }
    return Math.max(Math.max(m0, m1), Math.max(m2, m3));
  }

  /**
   * Replaces {@code a[from..to)} by {@code exp(a[c] - shift)} and returns their sum ({@link
   * FastMath#exp}, which stays scalar: the four accumulators let the exps overlap).
   */
  static float expShiftedSum(float[] a, float shift, int from, int to) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int c = from;
    for (; c + 3 < to; c += 4) {
      float e0 = FastMath.exp(a[c] - shift);
      float e1 = FastMath.exp(a[c + 1] - shift);
      float e2 = FastMath.exp(a[c + 2] - shift);
      float e3 = FastMath.exp(a[c + 3] - shift);
      a[c] = e0;
      a[c + 1] = e1;
      a[c + 2] = e2;
      a[c + 3] = e3;
      s0 += e0;
      s1 += e1;
      s2 += e2;
      s3 += e3;
    }
    for (; c < to; c++) {
      float e = FastMath.exp(a[c] - shift);
      a[c] = e;
      s0 += e;
    }
    return (s0 + s1) + (s2 + s3);
  }

  /** {@code t[0..n) += acc[0..n)} through {@code scratch} (a parameter's gradient gets a row of sums). */
  static void addInto(Tensor t, float[] acc, float[] scratch, int n) {
    t.read(0, scratch, 0, n);
    for (int c = 0; c < n; c++) {
      scratch[c] += acc[c];
    }
    t.write(0, scratch, 0, n);
  }
}
