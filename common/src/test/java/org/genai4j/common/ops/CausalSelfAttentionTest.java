package org.genai4j.common.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.genai4j.common.testing.OpCheck;
import org.junit.jupiter.api.Test;

class CausalSelfAttentionTest {

  /** The multiplier of probability (b, h, i, j) after dropout: 1 without. */
  @FunctionalInterface
  interface Mask {
    double at(int b, int h, int i, int j);
  }

  /**
   * Textbook causal attention in double, one head at a time: x is [B, T, 3C] with q, k, v thirds,
   * head h owns columns h*d .. h*d + d - 1 of each third.
   */
  static double[] reference(double[] x, int batch, int time, int heads, int d, Mask mask) {
    return reference(x, batch, time, heads, heads, d, mask);
  }

  /**
   * The same with {@code kvHeads} key/value heads: x is [B, T, (heads + 2 kvHeads) d], q then k
   * then v, and query head h uses key/value head h / (heads / kvHeads).
   */
  static double[] reference(double[] x, int batch, int time, int heads, int kvHeads, int d, Mask mask) {
    int c = heads * d;
    int kvc = kvHeads * d;
    int in = c + 2 * kvc;
    int group = heads / kvHeads;
    double[] y = new double[batch * time * c];
    for (int b = 0; b < batch; b++) {
      for (int h = 0; h < heads; h++) {
        int k = c + (h / group) * d;
        int v = c + kvc + (h / group) * d;
        for (int i = 0; i < time; i++) {
          double[] s = new double[i + 1];
          double max = Double.NEGATIVE_INFINITY;
          for (int j = 0; j <= i; j++) {
            double dot = 0;
            for (int e = 0; e < d; e++) {
              dot += x[(b * time + i) * in + h * d + e] * x[(b * time + j) * in + k + e];
            }
            s[j] = dot / Math.sqrt(d);
            max = Math.max(max, s[j]);
          }
          double sum = 0;
          for (int j = 0; j <= i; j++) {
            s[j] = Math.exp(s[j] - max);
            sum += s[j];
          }
          for (int e = 0; e < d; e++) {
            double acc = 0;
            for (int j = 0; j <= i; j++) {
              acc += s[j] / sum * mask.at(b, h, i, j) * x[(b * time + j) * in + v + e];
            }
            y[(b * time + i) * c + h * d + e] = acc;
          }
        }
      }
    }
    return y;
  }

  static Mask noDropout() {
    return (b, h, i, j) -> 1;
  }

  /**
   * The masks the op draws, per its documented scheme ({@link DropoutMask}): sequence b's key from
   * {@code ctx.random(stream, b)}, element {@code (h * T + i) * T + j}.
   */
  static double[][][][] masks(StepContext ctx, double p, long stream, int batch, int heads, int time) {
    DropoutMask dm = new DropoutMask(p, "test");
    double[][][][] m = new double[batch][heads][time][time];
    float[] row = new float[time];
    for (int b = 0; b < batch; b++) {
      long key = DropoutMask.key(ctx, stream, b);
      for (int h = 0; h < heads; h++) {
        for (int i = 0; i < time; i++) {
          dm.fill(key, (h * time + i) * time, row, 0, time);
          for (int j = 0; j < time; j++) {
            m[b][h][i][j] = row[j];
          }
        }
      }
    }
    return m;
  }

  @Test
  void matchesReferenceAndFiniteDifferences() {
    CausalSelfAttention att = new CausalSelfAttention(2, 6, 8);
    assertEquals(18, att.inputWidth());
    OpCheck.of(att, LinearTest.random(1, 2, 5, 18), (x, p) -> reference(x, 2, 5, 2, 3, noDropout()))
        .samplesPerTensor(90).assertCorrect();
  }

  @Test
  void groupedQueryAttentionMatchesReferenceAndFiniteDifferences() {
    // 4 query heads share 2 key/value heads of 2: input [q 8 | k 4 | v 4].
    CausalSelfAttention att = CausalSelfAttention.builder(4, 8, 6).kvHeads(2).build();
    assertEquals(16, att.inputWidth());
    assertEquals(4, att.kvWidth());
    assertEquals(8, att.outputWidth());
    OpCheck.of(att, LinearTest.random(13, 2, 6, 16), (x, p) -> reference(x, 2, 6, 4, 2, 2, noDropout()))
        .samplesPerTensor(100).assertCorrect();
    // With dropout, and one key/value head for all.
    StepContext ctx = StepContext.training(2, 3);
    CausalSelfAttention mqa = CausalSelfAttention.builder(3, 6, 5).kvHeads(1).dropout(0.2, 4).build();
    double[][][][] m = masks(ctx, 0.2, 4, 2, 3, 5);
    OpCheck.of(mqa, LinearTest.random(14, 2, 5, 10), (x, p) -> reference(x, 2, 5, 3, 1, 2,
        (b, h, i, j) -> m[b][h][i][j])).context(ctx).samplesPerTensor(100).assertCorrect();
    assertThrows(IllegalArgumentException.class, () -> CausalSelfAttention.builder(4, 8, 6).kvHeads(3).build());
  }

  @Test
  void groupedQueryDecodingWithTheCacheGivesTheFullForward() {
    CausalSelfAttention att = CausalSelfAttention.builder(4, 8, 8).kvHeads(2).build();
    assertEquals(4, att.newCache(1, 2).width());
    decodingTokenByTokenGivesTheFullForward(att, LinearTest.random(15, 2, 7, 16));
  }

  /** Two sequences of {@code x} decoded one position at a time through a cache give the full forward's outputs. */
  static void decodingTokenByTokenGivesTheFullForward(CausalSelfAttention att, Tensor x) {
    int time = x.dim(1);
    int width = att.outputWidth();
    StepContext ctx = StepContext.inference();
    double[] full = att.forward(ctx, x).toDoubles();
    KvCache cache = att.newCache(1, x.dim(0));
    for (int t = 0; t < time; t++) {
      double[] y = att.forward(ctx, positions(x, t, t + 1), cache, 0, t).toDoubles();
      cache.advance(1);
      for (int b = 0; b < x.dim(0); b++) {
        for (int c = 0; c < width; c++) {
          assertEquals(full[(b * time + t) * width + c], y[b * width + c], 1e-5, "sequence " + b + ", position " + t);
        }
      }
    }
  }

  @Test
  void rotaryAttentionMatchesReferenceAndFiniteDifferencesInBothLayouts() {
    for (RotaryEmbedding.Layout layout : RotaryEmbedding.Layout.values()) {
      // 4 query heads over 2 key/value heads of 4: input [q 16 | k 8 | v 8]; queries and keys rotate.
      RotaryEmbedding rope = new RotaryEmbedding(4, 8, 100, layout);
      CausalSelfAttention att = CausalSelfAttention.builder(4, 16, 7).kvHeads(2).rotary(rope).build();
      OpCheck.of(att, LinearTest.random(16, 2, 7, 32), (x, p) -> reference(
          RotaryEmbeddingTest.rope(x, 2, 7, 32, 0, 6, 4, 100, layout, 0), 2, 7, 4, 2, 4, noDropout()))
          .samplesPerTensor(100).assertCorrect();
    }
  }

  @Test
  void rotaryDecodingWithTheCacheGivesTheFullForward() {
    RotaryEmbedding rope = new RotaryEmbedding(2, 8, 10000, RotaryEmbedding.Layout.HALVES);
    CausalSelfAttention att = CausalSelfAttention.builder(4, 8, 8).kvHeads(2).rotary(rope).build();
    Tensor x = LinearTest.random(17, 2, 7, 16);
    float[] input = x.toArray();
    decodingTokenByTokenGivesTheFullForward(att, x);
    assertArrayEquals(input, x.toArray(), "the input is not rotated in place");
  }

  @Test
  void matchesReferenceOverSeveralBlocksOfRows() {
    // 150 positions: the softmax loops take the rows in blocks of 109 (16384 floats).
    CausalSelfAttention att = new CausalSelfAttention(2, 4, 150);
    OpCheck.of(att, LinearTest.random(2, 1, 150, 12), (x, p) -> reference(x, 1, 150, 2, 2, noDropout()))
        .samplesPerTensor(30).assertCorrect();
  }

  @Test
  void dropoutOnTheProbabilitiesMatchesReferenceAndFiniteDifferences() {
    double p = 0.3;
    CausalSelfAttention att = CausalSelfAttention.builder(3, 6, 6).dropout(p, 17).build();
    StepContext ctx = StepContext.training(5, 2);
    double[][][][] m = masks(ctx, p, 17, 2, 3, 6);
    long dropped = Arrays.stream(m).flatMap(Arrays::stream).flatMap(Arrays::stream).flatMapToDouble(Arrays::stream)
        .filter(v -> v == 0).count();
    assertTrue(dropped > 40 && dropped < 120, "about 0.3 of 216 dropped, got " + dropped);
    OpCheck.of(att, LinearTest.random(3, 2, 6, 18), (x, ps) -> reference(x, 2, 6, 3, 2, (b, h, i, j) -> m[b][h][i][j]))
        .context(ctx).samplesPerTensor(100).assertCorrect();
    // Inference ignores dropout.
    Tensor x = LinearTest.random(3, 2, 6, 18);
    OpCheck.assertClose("inference", reference(x.toDoubles(), 2, 6, 3, 2, noDropout()),
        att.forward(StepContext.inference(), x).toDoubles(), 1e-5);
  }

  @Test
  void dropoutMasksDoNotDependOnSharding() {
    StepContext whole = StepContext.training(9, 4);
    Tensor x = LinearTest.random(6, 4, 5, 24);
    CausalSelfAttention att = new CausalSelfAttention(2, 8, 5, 0.5, 3);
    float[] y = att.forward(whole, x).toArray();
    Tensor dy = LinearTest.random(7, 4, 5, 8);
    float[] dx = att.backward(whole, dy).toArray();
    // Shard 1 of 2 holds sequences 1..3.
    CausalSelfAttention shard = new CausalSelfAttention(2, 8, 5, 0.5, 3);
    StepContext c = whole.forShard(1, 1, new ShardExchange(2));
    float[] ys = shard.forward(c, x.rowRange(1, 4).copy()).toArray();
    float[] dxs = shard.backward(c, dy.rowRange(1, 4).copy()).toArray();
    assertArrayEquals(Arrays.copyOfRange(y, 5 * 8, 20 * 8), ys);
    assertArrayEquals(Arrays.copyOfRange(dx, 5 * 24, 20 * 24), dxs);
    // Dropout changed something: without it the output differs.
    assertFalse(Arrays.equals(y, new CausalSelfAttention(2, 8, 5).forward(whole, x).toArray()));
  }

  @Test
  void laterPositionsDoNotChangeEarlierOutputs() {
    CausalSelfAttention att = new CausalSelfAttention(2, 4, 6);
    StepContext ctx = StepContext.inference();
    Tensor x = LinearTest.random(8, 1, 6, 12);
    float[] before = att.forward(ctx, x).toArray();
    for (int i = 4 * 12; i < 6 * 12; i++) {
      x.set(i, x.get(i) + 1.5f);
    }
    float[] after = att.forward(ctx, x).toArray();
    assertArrayEquals(Arrays.copyOf(before, 4 * 4), Arrays.copyOf(after, 4 * 4));
    assertFalse(Arrays.equals(before, after));
  }

  /** Positions [from, to) of every sequence of x [B, T, W], as a new tensor [B, to - from, W]. */
  static Tensor positions(Tensor x, int from, int to) {
    int b0 = x.dim(0);
    int t = x.dim(1);
    int w = x.dim(2);
    Tensor out = Tensor.zeros(b0, to - from, w);
    float[] row = new float[w];
    for (int b = 0; b < b0; b++) {
      for (int i = from; i < to; i++) {
        x.read((b * t + i) * w, row, 0, w);
        out.write((b * (to - from) + i - from) * w, row, 0, w);
      }
    }
    return out;
  }

  @Test
  void decodingWithTheCacheGivesTheFullForward() {
    int batch = 2;
    int time = 9;
    CausalSelfAttention first = new CausalSelfAttention(2, 8, 12);
    CausalSelfAttention second = new CausalSelfAttention(2, 8, 12);
    Tensor x0 = LinearTest.random(10, batch, time, 24);
    Tensor x1 = LinearTest.random(11, batch, time, 24);
    StepContext ctx = StepContext.inference();
    double[] full0 = first.forward(ctx, x0).toDoubles();
    double[] full1 = second.forward(ctx, x1).toDoubles();
    // Two layers in one cache: a prompt of 3 positions, then one position at a time.
    KvCache cache = first.newCache(2, batch);
    int[] steps = {0, 3, 4, 5, 6, 7, 8, 9};
    for (int s = 0; s + 1 < steps.length; s++) {
      int from = steps[s];
      int to = steps[s + 1];
      double[] y0 = first.forward(ctx, positions(x0, from, to), cache, 0, cache.length()).toDoubles();
      double[] y1 = second.forward(ctx, positions(x1, from, to), cache, 1, cache.length()).toDoubles();
      cache.advance(to - from);
      for (int b = 0; b < batch; b++) {
        for (int i = from; i < to; i++) {
          for (int c = 0; c < 8; c++) {
            int at = (b * (to - from) + i - from) * 8 + c;
            assertEquals(full0[(b * time + i) * 8 + c], y0[at], 1e-5, "layer 0, sequence " + b + ", position " + i);
            assertEquals(full1[(b * time + i) * 8 + c], y1[at], 1e-5, "layer 1, sequence " + b + ", position " + i);
          }
        }
      }
    }
    // Going back: position 5 again gives the same output.
    cache.truncate(5);
    double[] again = first.forward(ctx, positions(x0, 5, 6), cache, 0, 5).toDoubles();
    assertEquals(full0[5 * 8 + 3], again[3], 1e-5);
  }

  @Test
  void trainingAndInferenceComputeTheSameWithoutDropout() {
    CausalSelfAttention att = new CausalSelfAttention(4, 8, 7);
    Tensor x = LinearTest.random(12, 3, 7, 24);
    float[] train = att.forward(StepContext.training(1, 1), x).toArray();
    assertArrayEquals(train, att.forward(StepContext.inference(), x).toArray());
    assertThrows(IllegalStateException.class, () -> att.backward(StepContext.inference(), LinearTest.random(1, 3, 7, 8)));
  }

  @Test
  void badShapesAreNamed() {
    CausalSelfAttention att = new CausalSelfAttention(2, 8, 4);
    StepContext ctx = StepContext.inference();
    var e = assertThrows(IllegalArgumentException.class, () -> att.forward(ctx, LinearTest.random(1, 1, 3, 20)));
    assertTrue(e.getMessage().contains("24") && e.getMessage().contains("[1, 3, 20]"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> att.forward(ctx, LinearTest.random(1, 1, 5, 24)));
    assertTrue(e.getMessage().contains("block size 4"), e.getMessage());
    KvCache cache = att.newCache(1, 1);
    att.forward(ctx, LinearTest.random(1, 1, 3, 24), cache, 0, 0);
    cache.advance(3);
    e = assertThrows(IllegalArgumentException.class, () -> att.forward(ctx, LinearTest.random(1, 1, 2, 24), cache, 0,
        3));
    assertTrue(e.getMessage().contains("capacity 4"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> att.forward(ctx, LinearTest.random(1, 1, 1, 24), cache, 0, 4));
    assertThrows(IllegalArgumentException.class, () -> att.forward(ctx, LinearTest.random(1, 2, 1, 24), cache, 0, 3));
    assertThrows(IllegalArgumentException.class, () -> new CausalSelfAttention(3, 8, 4));
  }
}
