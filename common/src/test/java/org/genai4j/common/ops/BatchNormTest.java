package org.genai4j.common.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.genai4j.common.testing.OpCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BatchNormTest {
  private static final double EPS = 1e-5;

  /**
   * Textbook batch norm in double over {@code [n, c, spatial]}: per segment (equal blocks of rows)
   * and channel, the mean and biased variance, then {@code act(w (x - mean) / sqrt(var + eps) + b)}
   * with {@code act(v) = max(v, slope v)}.
   */
  static double[] reference(double[] x, double[] w, double[] b, int n, int c, int spatial, int segments, double slope) {
    double[] y = new double[x.length];
    int per = n / segments;
    for (int s = 0; s < segments; s++) {
      for (int ch = 0; ch < c; ch++) {
        double sum = 0;
        for (int i = s * per; i < (s + 1) * per; i++) {
          for (int p = 0; p < spatial; p++) {
            sum += x[(i * c + ch) * spatial + p];
          }
        }
        double mean = sum / (per * spatial);
        double sq = 0;
        for (int i = s * per; i < (s + 1) * per; i++) {
          for (int p = 0; p < spatial; p++) {
            double d = x[(i * c + ch) * spatial + p] - mean;
            sq += d * d;
          }
        }
        double var = sq / (per * spatial);
        for (int i = s * per; i < (s + 1) * per; i++) {
          for (int p = 0; p < spatial; p++) {
            int at = (i * c + ch) * spatial + p;
            double v = w[ch] * (x[at] - mean) / Math.sqrt(var + EPS) + b[ch];
            y[at] = Math.max(v, slope * v);
          }
        }
      }
    }
    return y;
  }

  /** Inference: the running statistics instead of the batch's. */
  static double[] inferenceReference(double[] x, double[] w, double[] b, double[] rm, double[] rv, int c, int spatial,
      double slope) {
    double[] y = new double[x.length];
    for (int at = 0; at < x.length; at++) {
      int ch = (at / spatial) % c;
      double v = w[ch] * (x[at] - rm[ch]) / Math.sqrt(rv[ch] + EPS) + b[ch];
      y[at] = Math.max(v, slope * v);
    }
    return y;
  }

  private static BatchNorm bn(Params p, int channels) {
    return new BatchNorm(p, "bn", channels, Init.normal(1, 0.3), Init.normal(0, 0.3));
  }

  /** Data with a mean and scale per channel, as a convolution's output has. */
  static Tensor data(long seed, int... shape) {
    Tensor t = LinearTest.random(seed, shape);
    int c = shape[1];
    int spatial = t.length() / (shape[0] * c);
    for (int i = 0; i < t.length(); i++) {
      int ch = (i / spatial) % c;
      t.set(i, t.get(i) * (0.5f + ch) + 2f * ch - 1f);
    }
    return t;
  }

  /**
   * Like {@link #data}, but every value one of four levels per channel: the normalized values then
   * take four values too, none near the activation's kink, so that float differences (which move a
   * bias, and so every pre-activation of its channel, by 1e-3) do not straddle it.
   */
  static Tensor levels(long seed, int... shape) {
    java.util.Random r = new java.util.Random(seed);
    Tensor t = Tensor.zeros(shape);
    int c = shape[1];
    int spatial = t.length() / (shape[0] * c);
    for (int i = 0; i < t.length(); i++) {
      int ch = (i / spatial) % c;
      t.set(i, (r.nextInt(4) - 1.5f) * (0.5f + ch) + 2f * ch - 1f);
    }
    return t;
  }

  @ParameterizedTest(name = "slope {0}")
  @ValueSource(doubles = {1.0, 0.0, 0.2})
  void imagesMatchTheTextbookWithAFusedActivation(double slope) {
    BatchNorm b = bn(Params.init(3), 3);
    if (slope == 0) {
      b.withRelu();
    } else if (slope < 1) {
      b.withLeakyRelu(slope);
    }
    // Float differences of width 1e-3 (not the default 1e-2), and data away from the kink.
    Tensor x = slope == 1 ? data(4, 4, 3, 5, 5) : levels(4, 4, 3, 5, 5);
    OpCheck.of(b, x, (in, ps) -> reference(in, ps.get("bn.weight"), ps.get("bn.bias"), 4, 3, 25, 1, slope))
        .floatDifferences(1e-3, 2e-2).assertCorrect();
  }

  @ParameterizedTest(name = "slope {0}")
  @ValueSource(doubles = {1.0, 0.0})
  void featuresMatchTheTextbook(double slope) {
    BatchNorm b = bn(Params.init(3), 7);
    if (slope == 0) {
      b.withRelu();
    }
    OpCheck.of(b, data(5, 6, 7), (x, ps) -> reference(x, ps.get("bn.weight"), ps.get("bn.bias"), 6, 7, 1, 1, slope))
        .floatDifferences(1e-3, 2e-2).assertCorrect();
  }

  @Test
  void segmentsGetTheirOwnStatistics() {
    BatchNorm b = bn(Params.init(3), 2).withLeakyRelu(0.2).segments(2);
    Tensor x = data(6, 6, 2, 3, 3);
    // Second block shifted and scaled: its statistics differ from the first's.
    for (int i = x.length() / 2; i < x.length(); i++) {
      x.set(i, 3 * x.get(i) + 5);
    }
    OpCheck.of(b, x, (in, ps) -> reference(in, ps.get("bn.weight"), ps.get("bn.bias"), 6, 2, 9, 2, 0.2))
        .floatDifferences(1e-3, 2e-2).assertCorrect();
    // Each block's output is what the layer gives that block alone.
    StepContext ctx = StepContext.training(1, 0);
    float[] stacked = b.forward(ctx, x).toArray();
    BatchNorm alone = bn(Params.init(3), 2).withLeakyRelu(0.2);
    float[] first = alone.forward(ctx, x.rowRange(0, 3)).toArray();
    float[] second = alone.forward(ctx, x.rowRange(3, 6)).toArray();
    for (int i = 0; i < first.length; i++) {
      assertEquals(first[i], stacked[i], 1e-5);
      assertEquals(second[i], stacked[first.length + i], 1e-5);
    }
  }

  /** One shard's result: output, input gradient, weight and bias gradients, running statistics. */
  record Result(float[] y, float[] dx, float[] dw, float[] db, float[] rm, float[] rv) {}

  /**
   * Runs forward and backward over {@code x} with output gradient {@code dy}, split into {@code
   * bounds.length - 1} shards (rows [bounds[s], bounds[s+1]) of every segment), each on its own
   * thread and replica; returns the shards' rows put back in order and their gradients added.
   */
  static Result runSharded(Tensor x, Tensor dy, int segments, int[] bounds, int channels) throws Exception {
    int shards = bounds.length - 1;
    int per = x.dim(0) / segments;
    Params original = Params.init(3);
    List<BatchNorm> replicas = new ArrayList<>();
    replicas.add(bn(original, channels).withLeakyRelu(0.2).segments(segments));
    for (int s = 1; s < shards; s++) {
      replicas.add(bn(original.replica(), channels).withLeakyRelu(0.2).segments(segments));
    }
    ShardExchange exchange = new ShardExchange(shards);
    StepContext base = StepContext.training(1, 0);
    ExecutorService pool = Executors.newFixedThreadPool(shards);
    try {
      List<Future<float[][]>> parts = new ArrayList<>();
      for (int s = 0; s < shards; s++) {
        int shard = s;
        parts.add(pool.submit(() -> {
          try {
            // This shard's rows of every segment, stacked.
            Tensor xs = stack(x, segments, per, bounds[shard], bounds[shard + 1]);
            Tensor dys = stack(dy, segments, per, bounds[shard], bounds[shard + 1]);
            StepContext ctx = base.forShard(shard, bounds[shard], exchange);
            BatchNorm b = replicas.get(shard);
            float[] y = b.forward(ctx, xs).toArray();
            float[] dx = b.backward(ctx, dys).toArray();
            return new float[][] {y, dx, b.weight().grad().toArray(), b.bias().grad().toArray()};
          } catch (RuntimeException e) {
            exchange.abort();
            throw e;
          }
        }));
      }
      int rowLen = x.rowLength();
      float[] y = new float[x.length()];
      float[] dx = new float[x.length()];
      float[] dw = new float[channels];
      float[] db = new float[channels];
      for (int s = 0; s < shards; s++) {
        float[][] r = parts.get(s).get();
        int rows = bounds[s + 1] - bounds[s];
        for (int seg = 0; seg < segments; seg++) {
          int to = (seg * per + bounds[s]) * rowLen;
          System.arraycopy(r[0], seg * rows * rowLen, y, to, rows * rowLen);
          System.arraycopy(r[1], seg * rows * rowLen, dx, to, rows * rowLen);
        }
        for (int c = 0; c < channels; c++) {
          dw[c] += r[2][c];
          db[c] += r[3][c];
        }
      }
      BatchNorm first = replicas.get(0);
      return new Result(y, dx, dw, db, first.runningMean().toArray(), first.runningVar().toArray());
    } finally {
      pool.shutdownNow();
    }
  }

  private static Tensor stack(Tensor t, int segments, int per, int from, int to) {
    int rows = to - from;
    int rowLen = t.rowLength();
    int[] shape = t.shape();
    shape[0] = rows * segments;
    Tensor out = Tensor.zeros(shape);
    for (int seg = 0; seg < segments; seg++) {
      float[] block = t.rowRange(seg * per + from, seg * per + to).toArray();
      out.write(seg * rows * rowLen, block, 0, block.length);
    }
    return out;
  }

  @ParameterizedTest(name = "segments {0}")
  @ValueSource(ints = {1, 2})
  void twoShardsComputeWholeBatchBatchNorm(int segments) throws Exception {
    int per = 7;
    Tensor x = data(8, segments * per, 3, 4, 4);
    Tensor dy = LinearTest.random(9, segments * per, 3, 4, 4);
    Result one = runSharded(x, dy, segments, new int[] {0, per}, 3);
    // Uneven shards: 4 and 3 rows of every segment.
    Result two = runSharded(x, dy, segments, new int[] {0, 4, per}, 3);
    OpCheck.assertClose("output", toDoubles(one.y()), toDoubles(two.y()), 1e-5);
    OpCheck.assertClose("input gradient", toDoubles(one.dx()), toDoubles(two.dx()), 1e-5);
    OpCheck.assertClose("weight gradient", toDoubles(one.dw()), toDoubles(two.dw()), 1e-5);
    OpCheck.assertClose("bias gradient", toDoubles(one.db()), toDoubles(two.db()), 1e-5);
    OpCheck.assertClose("running mean", toDoubles(one.rm()), toDoubles(two.rm()), 1e-6);
    OpCheck.assertClose("running var", toDoubles(one.rv()), toDoubles(two.rv()), 1e-6);
    // The shards' result is the whole batch's, not a shard's: compare with the textbook too.
    Params p = Params.init(3);
    BatchNorm ref = bn(p, 3);
    double[] expected = reference(x.toDoubles(), ref.weight().value().toDoubles(), ref.bias().value().toDoubles(),
        segments * per, 3, 16, segments, 0.2);
    OpCheck.assertClose("output vs textbook", expected, toDoubles(two.y()), 1e-4);
  }

  @Test
  void runningStatisticsFollowPyTorchAndInferenceUsesThem() {
    BatchNorm b = bn(Params.init(3), 2).withMomentum(0.1);
    Tensor x1 = data(10, 5, 2, 3, 3);
    Tensor x2 = data(11, 5, 2, 3, 3);
    StepContext train = StepContext.training(1, 0);
    b.forward(train, x1);
    b.forward(train, x2);
    double[] rm = {0, 0};
    double[] rv = {1, 1};
    for (Tensor x : List.of(x1, x2)) {
      double[] v = x.toDoubles();
      for (int c = 0; c < 2; c++) {
        double sum = 0;
        double sq = 0;
        int count = 0;
        for (int at = 0; at < v.length; at++) {
          if ((at / 9) % 2 == c) {
            sum += v[at];
            count++;
          }
        }
        double mean = sum / count;
        for (int at = 0; at < v.length; at++) {
          if ((at / 9) % 2 == c) {
            sq += (v[at] - mean) * (v[at] - mean);
          }
        }
        rm[c] = 0.9 * rm[c] + 0.1 * mean;
        rv[c] = 0.9 * rv[c] + 0.1 * sq / (count - 1);
      }
    }
    OpCheck.assertClose("running mean", rm, b.runningMean().toDoubles(), 1e-6);
    OpCheck.assertClose("running var", rv, b.runningVar().toDoubles(), 1e-6);
    // Inference normalizes with them (and its backward is the fixed affine map's).
    OpCheck.of(b, data(12, 3, 2, 3, 3), (x, ps) -> inferenceReference(x, ps.get("bn.weight"), ps.get("bn.bias"), rm,
        rv, 2, 9, 1.0)).context(StepContext.inference()).assertCorrect();
    assertArrayEquals(b.runningMean().toArray(), toFloats(rm), 1e-6f, "inference leaves the running mean alone");
  }

  @Test
  void segmentsUpdateTheRunningStatisticsInTurnOrFromOne() {
    Tensor x = data(13, 8, 2, 2, 2);
    for (int i = x.length() / 2; i < x.length(); i++) {
      x.set(i, 2 * x.get(i) + 3);
    }
    StepContext train = StepContext.training(1, 0);
    BatchNorm inTurn = bn(Params.init(3), 2).segments(2);
    inTurn.forward(train, x);
    BatchNorm separate = bn(Params.init(3), 2);
    separate.forward(train, x.rowRange(0, 4));
    separate.forward(train, x.rowRange(4, 8));
    assertArrayEquals(separate.runningMean().toArray(), inTurn.runningMean().toArray(), 1e-6f);
    assertArrayEquals(separate.runningVar().toArray(), inTurn.runningVar().toArray(), 1e-6f);
    BatchNorm fromReal = bn(Params.init(3), 2).segments(2).runningStatisticsFrom(0);
    fromReal.forward(train, x);
    BatchNorm realOnly = bn(Params.init(3), 2);
    realOnly.forward(train, x.rowRange(0, 4));
    assertArrayEquals(realOnly.runningMean().toArray(), fromReal.runningMean().toArray(), 1e-6f);
    assertArrayEquals(realOnly.runningVar().toArray(), fromReal.runningVar().toArray(), 1e-6f);
  }

  @Test
  void aPassWithoutRunningUpdateNormalizesByTheBatchAndLeavesTheRunningStatistics() {
    Tensor x = data(15, 6, 2, 2, 2);
    StepContext train = StepContext.training(1, 0);
    BatchNorm updating = bn(Params.init(3), 2);
    float[] expected = updating.forward(train, x).toArray();
    BatchNorm frozen = bn(Params.init(3), 2);
    frozen.setRunningStatisticsUpdate(false);
    assertArrayEquals(expected, frozen.forward(train, x).toArray(), "the batch's statistics all the same");
    assertArrayEquals(new float[2], frozen.runningMean().toArray());
    assertArrayEquals(new float[] {1, 1}, frozen.runningVar().toArray());
    frozen.setRunningStatisticsUpdate(true);
    frozen.forward(train, x);
    assertArrayEquals(updating.runningMean().toArray(), frozen.runningMean().toArray());
    assertArrayEquals(updating.runningVar().toArray(), frozen.runningVar().toArray());
  }

  @Test
  void frozenParametersAndNoInputGradient() {
    BatchNorm b = bn(Params.init(3), 3).withRelu().withoutInputGradient();
    b.weight().setRequiresGrad(false);
    OpCheck.of(b, data(14, 4, 3, 2, 2), (x, ps) -> reference(x, ps.get("bn.weight"), ps.get("bn.bias"), 4, 3, 4, 1, 0))
        .inputGradient(false).floatDifferences(1e-3, 2e-2).assertCorrect();
    assertArrayEquals(new float[3], b.weight().grad().toArray());
    StepContext ctx = StepContext.training(1, 0);
    b.forward(ctx, data(14, 4, 3, 2, 2));
    assertNull(b.backward(ctx, LinearTest.random(1, 4, 3, 2, 2)));
  }

  @Test
  void badInputIsNamed() {
    BatchNorm b = bn(Params.init(3), 3).segments(2);
    var e = assertThrows(IllegalArgumentException.class,
        () -> b.forward(StepContext.training(1, 0), LinearTest.random(1, 4, 2, 2, 2)));
    assertTrue(e.getMessage().contains("'bn'") && e.getMessage().contains("[N, 3, ...]"), e.getMessage());
    var e2 = assertThrows(IllegalArgumentException.class,
        () -> b.forward(StepContext.training(1, 0), LinearTest.random(1, 5, 3, 2, 2)));
    assertTrue(e2.getMessage().contains("2 segments"), e2.getMessage());
  }

  static double[] toDoubles(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  static float[] toFloats(double[] d) {
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }
}
