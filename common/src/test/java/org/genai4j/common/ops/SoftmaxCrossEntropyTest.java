package org.genai4j.common.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.genai4j.common.testing.OpCheck;
import org.junit.jupiter.api.Test;

class SoftmaxCrossEntropyTest {

  /** The loss as a {@link Layer} for {@link OpCheck}: logits in, a one-element loss out. */
  static Layer asLayer(SoftmaxCrossEntropy ce, int[] targets) {
    return new Layer() {
      Tensor loss = Tensor.zeros(1);
      Tensor dx;

      @Override
      public Tensor forward(StepContext ctx, Tensor x) {
        loss.set(0, (float) ce.forward(ctx, x, targets));
        return loss;
      }

      @Override
      public Tensor backward(StepContext ctx, Tensor dy) {
        Tensor g = ce.backward(ctx);
        dx = g.copy();
        dx.scale(dy.get(0));
        return dx;
      }

      @Override
      public List<Param> params() {
        return List.of();
      }
    };
  }

  /** Mean over non-ignored rows of {@code logsumexp(l) - l[target]}, in double. */
  static double reference(double[] logits, int[] targets, int v, int ignore) {
    double sum = 0;
    int count = 0;
    for (int n = 0; n < targets.length; n++) {
      if (targets[n] == ignore) {
        continue;
      }
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < v; c++) {
        max = Math.max(max, logits[n * v + c]);
      }
      double s = 0;
      for (int c = 0; c < v; c++) {
        s += Math.exp(logits[n * v + c] - max);
      }
      sum += max + Math.log(s) - logits[n * v + targets[n]];
      count++;
    }
    return count == 0 ? 0 : sum / count;
  }

  static Tensor logits(long seed, int rows, int v) {
    Tensor t = LinearTest.random(seed, rows, v);
    t.scale(3f);
    return t;
  }

  @Test
  void matchesReferenceAndFiniteDifferencesWithIgnoredTargets() {
    int[] targets = {3, -100, 0, 6, 6, -100, 1};
    OpCheck.of(asLayer(new SoftmaxCrossEntropy(), targets), logits(1, 7, 7),
        (x, p) -> new double[] {reference(x, targets, 7, -100)}).samplesPerTensor(49).assertCorrect();
  }

  @Test
  void gradientIsSoftmaxMinusOneHotOverTheCount() {
    int[] targets = {2, -1, 0};
    SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy(-1);
    Tensor l = logits(2, 3, 4);
    double[] x = l.toDoubles();
    StepContext ctx = StepContext.training(1, 0);
    double loss = ce.forward(ctx, l, targets);
    assertEquals(reference(x, targets, 4, -1), loss, 1e-6);
    assertEquals(2, ce.count());
    float[] g = ce.backward(ctx).toArray();
    for (int n = 0; n < 3; n++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < 4; c++) {
        max = Math.max(max, x[n * 4 + c]);
      }
      double s = 0;
      for (int c = 0; c < 4; c++) {
        s += Math.exp(x[n * 4 + c] - max);
      }
      for (int c = 0; c < 4; c++) {
        double expected = targets[n] == -1 ? 0 : (Math.exp(x[n * 4 + c] - max) / s - (c == targets[n] ? 1 : 0)) / 2;
        assertEquals(expected, g[n * 4 + c], 1e-6, "gradient [" + n + ", " + c + "]");
      }
    }
  }

  @Test
  void gradientInLogitsOverwritesThemWithTheSameValues() {
    int[] targets = {1, 4, -100, 0};
    Tensor l = logits(3, 4, 5);
    StepContext ctx = StepContext.training(1, 0);
    SoftmaxCrossEntropy separate = new SoftmaxCrossEntropy();
    double loss = separate.forward(ctx, l, targets);
    float[] expected = separate.backward(ctx).toArray();
    SoftmaxCrossEntropy inPlace = new SoftmaxCrossEntropy().gradientInLogits();
    assertEquals(loss, inPlace.forward(ctx, l, targets), 0.0);
    assertSame(l, inPlace.backward(ctx));
    assertArrayEquals(expected, l.toArray(), 0f);
    // In inference nothing is overwritten, and there is no gradient.
    Tensor m = logits(4, 4, 5);
    float[] before = m.toArray();
    assertEquals(separate.forward(StepContext.inference(), m, targets), inPlace.forward(StepContext.inference(), m,
        targets), 0.0);
    assertArrayEquals(before, m.toArray());
    assertThrows(IllegalStateException.class, () -> inPlace.backward(StepContext.inference()));
  }

  @Test
  void allTargetsIgnoredGiveZero() {
    SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy();
    StepContext ctx = StepContext.training(1, 0);
    assertEquals(0.0, ce.forward(ctx, logits(5, 2, 3), new int[] {-100, -100}));
    assertArrayEquals(new float[6], ce.backward(ctx).toArray());
  }

  @Test
  void twoShardsAddUpToTheWholeBatch() throws Exception {
    int rows = 10;
    int v = 9;
    // Shard 0 (rows 0-3) has one ignored target, shard 1 (rows 4-9) three: the count must be the batch's, 6.
    int[] targets = {0, 8, -100, 4, -100, 2, -100, 7, 7, -100};
    Tensor all = logits(6, rows, v);
    StepContext ctx = StepContext.training(1, 0);
    SoftmaxCrossEntropy whole = new SoftmaxCrossEntropy();
    double loss = whole.forward(ctx, all, targets);
    assertEquals(reference(all.toDoubles(), targets, v, -100), loss, 1e-6);
    float[] grad = whole.backward(ctx).toArray();

    ShardExchange exchange = new ShardExchange(2);
    int[] first = {0, 4};
    int[] count = {4, 6};
    double[] losses = new double[2];
    float[][] grads = new float[2][];
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<?>[] f = new Future<?>[2];
      for (int s = 0; s < 2; s++) {
        int shard = s;
        f[s] = pool.submit(() -> {
          StepContext c = ctx.forShard(shard, first[shard], exchange);
          SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy();
          Tensor part = all.rowRange(first[shard], first[shard] + count[shard]).copy();
          losses[shard] = ce.forward(c, part, targets, first[shard]);
          grads[shard] = ce.backward(c).toArray();
          assertEquals(6, ce.count());
        });
      }
      for (Future<?> x : f) {
        x.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(loss, losses[0] + losses[1], 1e-6);
    assertTrue(losses[0] > 0 && losses[1] > 0);
    assertArrayEquals(Arrays.copyOfRange(grad, 0, 4 * v), grads[0], 1e-7f);
    assertArrayEquals(Arrays.copyOfRange(grad, 4 * v, rows * v), grads[1], 1e-7f);
  }

  @Test
  void badTargetsAreNamed() {
    SoftmaxCrossEntropy ce = new SoftmaxCrossEntropy();
    StepContext ctx = StepContext.training(1, 0);
    var e = assertThrows(IllegalArgumentException.class, () -> ce.forward(ctx, logits(1, 2, 3), new int[] {0, 3}));
    assertTrue(e.getMessage().contains("target 3") && e.getMessage().contains("0..2"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ce.forward(ctx, logits(1, 2, 3), new int[] {0, -1}));
    assertThrows(IllegalArgumentException.class, () -> ce.forward(ctx, logits(1, 2, 3), new int[] {0}));
    assertThrows(IllegalArgumentException.class, () -> new SoftmaxCrossEntropy(0));
  }
}
