package org.genai4j.common.ops;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;

/**
 * Inverted-dropout masks: element {@code i} of a row is kept (scaled by {@code 1 / (1 - p)}) or
 * dropped (0) by a counter-based hash of {@code i} and the row's 64-bit key, which comes from
 * {@link StepContext#random} for (stream, row). A row's mask is thus a pure function of (seed,
 * step, stream, row, element): the same on any shard count, and recomputed, not stored, for the
 * backward pass.
 *
 * <p>Why a hash and not one {@code SplittableRandom.nextLong()} per pair of elements: the hash
 * (murmur3's 32-bit finalizer, twice, keyed by the two halves of the row key, over a Weyl
 * sequence of the element index) is int multiplies, shifts and xors with the same index in every
 * array, which C2 vectorizes. It yields each element's mask as float bits (0 or the bits of
 * {@code 1/(1-p)}); JDK 17 vectorizes neither int-to-float conversions nor bit casts, so the
 * bits go to floats through a small direct buffer (an int bulk put and a float bulk get of the
 * same memory, both memcpy). About 0.45 ns per element with the multiply that applies the mask,
 * against about 2 ns for the generator, and no memory for masks. Within a row the hash is a
 * bijection of the index (no two elements draw the same 32 bits); rows differ through their keys.
 */
final class DropoutMask {
  static final int CHUNK = 2048;
  private static final int GAMMA = 0x9E3779B9;
  private static final int[] WEYL = new int[CHUNK];

  static {
    for (int i = 0; i < CHUNK; i++) {
      WEYL[i] = i * GAMMA;
    }
  }

  private final double p;
  /** An element is kept when the top 31 bits of its hash are at least this: P(drop) = threshold / 2^31. */
  private final int threshold;
  private final float scale;
  /** The bits of {@code scale}: a kept element's mask. */
  private final int scaleBits;
  private final int[] bits = new int[CHUNK];
  private final IntBuffer bitsOut;
  private final FloatBuffer floatsIn;

  DropoutMask(double p, String owner) {
    if (!(p >= 0 && p < 1)) {
      throw new IllegalArgumentException(owner + ": dropout probability must be in [0, 1), got " + p);
    }
    this.p = p;
    this.threshold = (int) Math.min(Integer.MAX_VALUE, Math.round(p * 2147483648.0));
    this.scale = (float) (1.0 / (1.0 - p));
    this.scaleBits = Float.floatToRawIntBits(scale);
    ByteBuffer memory = ByteBuffer.allocateDirect(CHUNK * Integer.BYTES).order(ByteOrder.nativeOrder());
    bitsOut = memory.asIntBuffer();
    floatsIn = memory.asFloatBuffer();
  }

  double p() {
    return p;
  }

  /** False for p = 0 (or a p below 2^-32): the mask keeps everything and need not be drawn. */
  boolean active() {
    return threshold > 0;
  }

  /** The key of {@code row} (of this shard) in {@code stream}. */
  static long key(StepContext ctx, long stream, int row) {
    return ctx.random(stream, row).nextLong();
  }

  /**
   * {@code mask[at + i] = 1/(1-p)} when element {@code start + i} of the row keyed by {@code key}
   * is kept, else 0, for {@code i < len}.
   */
  void fill(long key, int start, float[] mask, int at, int len) {
    for (int done = 0; done < len; done += CHUNK) {
      int n = Math.min(CHUNK, len - done);
      hash(key, start + done, n);
      bitsOut.put(0, bits, 0, n);
      floatsIn.get(0, mask, at + done, n);
    }
  }

  /** {@code bits[i]} = the float bits of element {@code start + i}'s mask, for {@code i < n <= CHUNK}. */
  private void hash(long key, int start, int n) {
    int lo = (int) key + start * GAMMA;
    int hi = (int) (key >>> 32);
    int thr = threshold - 1;
    int sb = scaleBits;
    int[] w = WEYL;
    int[] k = bits;
    for (int i = 0; i < n; i++) {
      int h = lo + w[i];
      h = (h ^ (h >>> 16)) * 0x85EBCA6B;
      h = (h ^ (h >>> 13)) * 0xC2B2AE35;
      h = (h ^ (h >>> 16)) ^ hi;
      h = (h ^ (h >>> 16)) * 0x85EBCA6B;
      h = (h ^ (h >>> 13)) * 0xC2B2AE35;
      h ^= h >>> 16;
      // Kept when (h >>> 1) >= threshold: thr - (h >>> 1) is then negative (no overflow: both are in
      // [-1, 2^31)), and its sign spread over all bits selects the scale's bits.
      k[i] = ((thr - (h >>> 1)) >> 31) & sb;
    }
  }
}
