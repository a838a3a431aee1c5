package org.genai4j.llm.model;

/**
 * DL4J's GELU {@code g = x * sigmoid(1.702 x)} and its derivative {@code s + 1.702 x s (1 - s)}
 * over a row, with the sigmoid as {@code 0.5 + 0.5 tanh(0.851 x)} and tanh a rational function
 * (odd degree-13 numerator over even degree-6 denominator, the minimax form Eigen uses for float
 * tanh, argument clamped to +-7.905). Why: an exp needs float/int bit casts, which JDK 17's
 * auto-vectorizer does not handle, so an exp loop stays scalar; this loop is multiplies, adds,
 * min/max and one division, and C2 turns it into AVX2 code: about 4x faster per element here.
 *
 * <p>Accuracy (checked against a double reference in {@code FastGeluTest}): the sigmoid within
 * 3e-7 absolute, a few ulps of 1 (measured: 2.4e-7 near x = 6.8; below x = -9.3 the clamp gives
 * s = 0 for a true value under 1.4e-7), so {@code g = x s} is within {@code 3e-7 max(1, |x|)}
 * and the derivative within {@code 3e-7 (1 + 1.702 |x|)}: float rounding for activations of
 * order 1, but not a small relative error where {@code s} itself is tiny.
 */
final class FastGelu {
  private FastGelu() {}

  static final float K = 1.702f;
  private static final float HALF_K = 0.851f;
  private static final float CLAMP = 7.90531110763549805f;

  /**
   * Writes {@code gelu(in[i])} to {@code out[i]} and its derivative to {@code grad[i]} for
   * {@code i < len}. Same index in every array: with an offset C2 cannot rule out that a store
   * feeds a later load, and the loop stays scalar.
   */
  static void forward(float[] in, float[] out, float[] grad, int len) {
    // One loop of plain float arithmetic (no calls, no branches) so that it vectorizes.
    for (int i = 0; i < len; i++) {
      float v = in[i];
      float x = Math.max(-CLAMP, Math.min(CLAMP, HALF_K * v));
      float x2 = x * x;
      float p = -2.76076847742355e-16f;
      p = p * x2 + 2.00018790482477e-13f;
      p = p * x2 - 8.60467152213735e-11f;
      p = p * x2 + 5.12229709037114e-08f;
      p = p * x2 + 1.48572235717979e-05f;
      p = p * x2 + 6.37261928875436e-04f;
      p = p * x2 + 4.89352455891786e-03f;
      p = p * x;
      float q = 1.19825839466702e-06f;
      q = q * x2 + 1.18534705686654e-04f;
      q = q * x2 + 2.26843463243900e-03f;
      q = q * x2 + 4.89352518554385e-03f;
      float s = 0.5f + 0.5f * (p / q);
      out[i] = v * s;
      grad[i] = s + K * v * s * (1f - s);
    }
  }
}
