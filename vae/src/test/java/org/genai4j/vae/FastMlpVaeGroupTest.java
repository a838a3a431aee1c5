package org.genai4j.vae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.genai4j.common.train.Batch;
import org.genai4j.common.train.Gradients;
import org.genai4j.common.util.Shards;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The hand-written MLP step against the SameDiff graph (loss, metrics and every gradient, in
 * DOUBLE, to 1e-8 relative) and against central finite differences.
 */
class FastMlpVaeGroupTest {

  private static final VaeConfig BERNOULLI =
      new VaeConfig(VaeConfig.Arch.MLP, 1, 4, 4, List.of(6, 5), 3, VaeConfig.Likelihood.BERNOULLI, 0, 1, 0);

  @Test
  void bernoulliEqualsSameDiff() {
    assertEqualsSameDiff(BERNOULLI, 5);
  }

  @Test
  void bernoulliWithWarmupAndOneHiddenLayerEqualsSameDiff() {
    assertEqualsSameDiff(new VaeConfig(VaeConfig.Arch.MLP, 1, 3, 3, List.of(7), 2,
        VaeConfig.Likelihood.BERNOULLI, 0, 0.8, 10), 4);
  }

  @Test
  void noHiddenLayerEqualsSameDiff() {
    assertEqualsSameDiff(new VaeConfig(VaeConfig.Arch.MLP, 1, 2, 3, List.of(), 2,
        VaeConfig.Likelihood.BERNOULLI, 0, 1, 0), 3);
  }

  @Test
  void gaussianFixedEqualsSameDiff() {
    assertEqualsSameDiff(new VaeConfig(VaeConfig.Arch.MLP, 2, 2, 2, List.of(5), 2,
        VaeConfig.Likelihood.GAUSSIAN_FIXED, 0.3, 1, 0), 4);
  }

  @Test
  void gaussianLearnedEqualsSameDiff() {
    assertEqualsSameDiff(new VaeConfig(VaeConfig.Arch.MLP, 1, 3, 3, List.of(5, 4), 2,
        VaeConfig.Likelihood.GAUSSIAN_LEARNED, 0, 0.7, 0), 4);
  }

  @Test
  void largeLogitsStayFiniteAndEqual() {
    Vae vae = new Vae(BERNOULLI, 7, DataType.DOUBLE);
    // Push the output bias far into both saturated regions of the softplus guard.
    INDArray b = vae.group().parameters().get("dec/out/b");
    for (int i = 0; i < b.length(); i++) {
      b.putScalar(i, i % 2 == 0 ? 60.0 : -60.0);
    }
    assertEqualsSameDiff(vae, batch(BERNOULLI, 4, new Random(5)));
  }

  @Test
  void smallerBatchAfterLargerUsesItsOwnBuffers() {
    Vae vae = new Vae(BERNOULLI, 7, DataType.DOUBLE);
    Random r = new Random(9);
    assertEqualsSameDiff(vae, batch(BERNOULLI, 6, r));
    assertEqualsSameDiff(vae, batch(BERNOULLI, 2, r));
    assertEqualsSameDiff(vae, batch(BERNOULLI, 6, r));
  }

  @Test
  void drawsTheSameNoiseAsSameDiffWhenTheBatchHasNone() {
    Vae vae = new Vae(BERNOULLI, 7, DataType.DOUBLE);
    Batch noEps = Batch.of(Map.of("x", batch(BERNOULLI, 4, new Random(2)).get("x")), 4);
    Nd4j.getRandom().setSeed(123);
    Gradients fast = fastGroup(vae).computeGradients(noEps);
    Nd4j.getRandom().setSeed(123);
    Gradients slow = vae.group().computeGradients(noEps);
    assertEquals(slow.loss(), fast.loss(), 1e-8 * Math.abs(slow.loss()));
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    for (VaeConfig c : List.of(BERNOULLI, new VaeConfig(VaeConfig.Arch.MLP, 1, 3, 3, List.of(5, 4), 2,
        VaeConfig.Likelihood.GAUSSIAN_LEARNED, 0, 0.7, 0))) {
      Vae vae = new Vae(c, 7, DataType.DOUBLE);
      FastMlpVaeGroup g = fastGroup(vae);
      Batch batch = batch(c, 3, new Random(4));
      Map<String, INDArray> grads = copy(g.computeGradients(batch).gradients());
      Random r = new Random(1);
      double h = 1e-6;
      int checked = 0;
      for (var e : g.parameters().entrySet()) {
        INDArray p = e.getValue();
        for (int t = 0; t < Math.min(8, p.length()); t++) {
          long i = r.nextInt((int) p.length());
          double orig = p.getDouble(i);
          p.putScalar(i, orig + h);
          double up = g.computeGradients(batch).loss();
          p.putScalar(i, orig - h);
          double down = g.computeGradients(batch).loss();
          p.putScalar(i, orig);
          double numeric = (up - down) / (2 * h);
          double analytic = grads.get(e.getKey()).getDouble(i);
          double rel = Math.abs(numeric - analytic) / Math.max(1e-6, Math.abs(numeric) + Math.abs(analytic));
          assertTrue(rel < 1e-5 || Math.abs(numeric - analytic) < 1e-7,
              c.likelihood() + " " + e.getKey() + "[" + i + "]: analytic " + analytic + " numeric " + numeric);
          checked++;
        }
      }
      assertTrue(checked > 40, "checked " + checked);
    }
  }

  @Test
  void mlpTrainsWithTheFastStepByDefault() {
    Vae vae = new Vae(BERNOULLI, 7, DataType.DOUBLE);
    assertTrue(vae.parameterGroups().get(0) instanceof FastMlpVaeGroup);
    vae.useFastStep(false);
    assertTrue(vae.parameterGroups().get(0) instanceof VaeGroup);
    Vae conv = new Vae(VaeConfig.conv(1, 4, 4, List.of(2), 2), 7, DataType.DOUBLE);
    assertTrue(conv.parameterGroups().get(0) instanceof VaeGroup);
  }

  /** The same loops on FLOAT arrays (the training default), to float precision. */
  @Test
  void floatEqualsSameDiffInFloat() {
    for (VaeConfig c : List.of(BERNOULLI, new VaeConfig(VaeConfig.Arch.MLP, 1, 3, 3, List.of(5, 4), 2,
        VaeConfig.Likelihood.GAUSSIAN_LEARNED, 0, 0.7, 0))) {
      assertEqualsSameDiff(new Vae(c, 7, DataType.FLOAT), batch(c, 6, new Random(3)), 1e-5);
    }
  }

  /**
   * FLOAT runs a different code path (direct sgemm, Java loops): every likelihood, no hidden layer,
   * saturated logits, a smaller batch after a larger one and f-ordered images, to float precision.
   */
  @Test
  void floatPathEqualsSameDiffForEveryShape() {
    List<VaeConfig> configs = List.of(BERNOULLI,
        new VaeConfig(VaeConfig.Arch.MLP, 1, 3, 3, List.of(7), 2, VaeConfig.Likelihood.BERNOULLI, 0, 0.8, 10),
        new VaeConfig(VaeConfig.Arch.MLP, 1, 2, 3, List.of(), 2, VaeConfig.Likelihood.BERNOULLI, 0, 1, 0),
        new VaeConfig(VaeConfig.Arch.MLP, 2, 2, 2, List.of(5), 2, VaeConfig.Likelihood.GAUSSIAN_FIXED, 0.3, 1, 0));
    for (VaeConfig c : configs) {
      Vae vae = new Vae(c, 7, DataType.FLOAT);
      Random r = new Random(4);
      assertEqualsSameDiff(vae, batch(c, 6, r), 1e-5);
      assertEqualsSameDiff(vae, batch(c, 2, r), 1e-5);
      Batch b = batch(c, 3, r);
      assertEqualsSameDiff(vae, Batch.of(Map.of("x", b.get("x").dup('f'), "eps", b.get("eps").dup('f')), 3), 1e-5);
    }
    // Enough pixels (2,560) for several of the Bernoulli loop's 256-pixel blocks and a tail.
    VaeConfig wide = new VaeConfig(VaeConfig.Arch.MLP, 1, 8, 8, List.of(9), 3, VaeConfig.Likelihood.BERNOULLI, 0, 1, 0);
    assertEqualsSameDiff(new Vae(wide, 7, DataType.FLOAT), batch(wide, 41, new Random(6)), 1e-5);
    Vae vae = new Vae(BERNOULLI, 7, DataType.FLOAT);
    INDArray bias = vae.group().parameters().get("dec/out/b");
    for (int i = 0; i < bias.length(); i++) {
      bias.putScalar(i, i % 2 == 0 ? 60.0 : -60.0);
    }
    assertEqualsSameDiff(vae, batch(BERNOULLI, 4, new Random(5)), 1e-5);
  }

  /** The FLOAT path reuses its noise array: two draws still equal SameDiff's, step by step. */
  @Test
  void floatPathDrawsTheSameNoiseAsSameDiff() {
    Vae vae = new Vae(BERNOULLI, 7, DataType.FLOAT);
    Batch noEps = Batch.of(Map.of("x", batch(BERNOULLI, 4, new Random(2)).get("x")), 4);
    for (long seed : new long[] {123, 456}) {
      Nd4j.getRandom().setSeed(seed);
      Gradients fast = fastGroup(vae).computeGradients(noEps);
      Nd4j.getRandom().setSeed(seed);
      Gradients slow = vae.group().computeGradients(noEps);
      assertEquals(slow.loss(), fast.loss(), 1e-5 * Math.abs(slow.loss()));
    }
  }

  /**
   * Splitting the batch over threads changes nothing but rounding: 1, 2 and 3 shards of 5 images
   * give the same loss, metrics and gradients, in DOUBLE (the ND4J-op path) and FLOAT (the direct
   * path), with the KL weight and the learned variance in play.
   */
  @Test
  void shardedStepEqualsOneShard() {
    VaeConfig c = new VaeConfig(VaeConfig.Arch.MLP, 1, 3, 3, List.of(5, 4), 2,
        VaeConfig.Likelihood.GAUSSIAN_LEARNED, 0, 0.7, 0);
    for (DataType t : List.of(DataType.DOUBLE, DataType.FLOAT)) {
      double tol = t == DataType.DOUBLE ? 1e-12 : 1e-6;
      FastMlpVaeGroup g = fastGroup(new Vae(c, 7, t));
      Batch b = batch(c, 5, new Random(11));
      try {
        Shards.setCount(1);
        Gradients one = g.computeGradients(b);
        Map<String, INDArray> oneGrads = copy(one.gradients());
        for (int shards : new int[] {2, 3}) {
          Shards.setCount(shards);
          Gradients many = g.computeGradients(b);
          assertClose(one.loss(), many.loss(), t + " " + shards + " shards: loss", tol);
          one.metrics().forEach((k, v) -> assertClose(v, many.metrics().get(k), shards + " shards: " + k, tol));
          oneGrads.forEach((k, v) -> {
            double diff = v.sub(many.gradients().get(k)).norm2Number().doubleValue();
            assertTrue(diff <= tol * v.norm2Number().doubleValue(), t + " " + shards + " shards, " + k + ": " + diff);
          });
        }
      } finally {
        Shards.setCount(0);
      }
    }
  }

  /** The FLOAT kernel's two paths (plain ND4J ops, direct sgemm + Java loops) agree. */
  @Test
  void floatDirectPathEqualsFloatNd4jPath() {
    VaeConfig c = new VaeConfig(VaeConfig.Arch.MLP, 1, 3, 3, List.of(5, 4), 2,
        VaeConfig.Likelihood.GAUSSIAN_LEARNED, 0, 0.7, 0);
    Batch b = batch(c, 5, new Random(8));
    Gradients direct = fastGroup(new Vae(c, 7, DataType.FLOAT)).computeGradients(b);
    Map<String, INDArray> directGrads = copy(direct.gradients());
    Gradients nd4j;
    System.setProperty(MlpVaeKernel.ND4J_PATH_PROPERTY, "true");
    try {
      nd4j = fastGroup(new Vae(c, 7, DataType.FLOAT)).computeGradients(b);
    } finally {
      System.clearProperty(MlpVaeKernel.ND4J_PATH_PROPERTY);
    }
    assertClose(nd4j.loss(), direct.loss(), "loss", 1e-5);
    nd4j.gradients().forEach((k, v) -> {
      double diff = v.sub(directGrads.get(k)).norm2Number().doubleValue();
      assertTrue(diff <= 1e-5 * Math.max(1e-12, v.norm2Number().doubleValue()), k + ": relative difference " + diff);
    });
  }

  /** Images that are a view in f order (not dense c order) are copied, not misread. */
  @Test
  void fOrderedImagesGiveTheSameResult() {
    Vae vae = new Vae(BERNOULLI, 7, DataType.DOUBLE);
    Batch b = batch(BERNOULLI, 5, new Random(3));
    Batch f = Batch.of(Map.of("x", b.get("x").dup('f'), "eps", b.get("eps").dup('f')), 5);
    double loss = fastGroup(vae).computeGradients(b).loss();
    assertEquals(loss, fastGroup(vae).computeGradients(f).loss(), 1e-12 * Math.abs(loss));
  }

  private static void assertEqualsSameDiff(VaeConfig c, int n) {
    assertEqualsSameDiff(new Vae(c, 7, DataType.DOUBLE), batch(c, n, new Random(3)));
  }

  private static void assertEqualsSameDiff(Vae vae, Batch batch) {
    assertEqualsSameDiff(vae, batch, 1e-8);
  }

  private static void assertEqualsSameDiff(Vae vae, Batch batch, double tol) {
    Gradients fast = fastGroup(vae).computeGradients(batch);
    Map<String, INDArray> fastGrads = copy(fast.gradients());
    Gradients slow = vae.group().computeGradients(batch);
    assertClose(slow.loss(), fast.loss(), "loss", tol);
    assertEquals(slow.metrics().keySet(), fast.metrics().keySet());
    slow.metrics().forEach((k, v) -> assertClose(v, fast.metrics().get(k), k, tol));
    assertEquals(slow.gradients().keySet(), fastGrads.keySet());
    for (var e : slow.gradients().entrySet()) {
      INDArray a = e.getValue();
      INDArray b = fastGrads.get(e.getKey());
      assertEquals(List.of(a.shape()[0]), List.of(b.shape()[0]), e.getKey() + " shape");
      double scale = Math.max(1e-12, a.norm2Number().doubleValue());
      double diff = a.reshape(a.length()).sub(b.reshape(b.length())).norm2Number().doubleValue();
      assertTrue(diff / scale < tol, e.getKey() + ": relative difference " + diff / scale);
    }
  }

  private static void assertClose(double expected, double actual, String what, double tol) {
    assertTrue(Math.abs(expected - actual) <= tol * Math.max(1e-8, Math.abs(expected)),
        what + ": SameDiff " + expected + " hand-written " + actual);
  }

  private static FastMlpVaeGroup fastGroup(Vae vae) {
    return (FastMlpVaeGroup) vae.parameterGroups().get(0);
  }

  private static Map<String, INDArray> copy(Map<String, INDArray> m) {
    Map<String, INDArray> out = new java.util.LinkedHashMap<>();
    m.forEach((k, v) -> out.put(k, v.dup()));
    return out;
  }

  private static Batch batch(VaeConfig c, int n, Random r) {
    INDArray x = Nd4j.create(DataType.DOUBLE, n, c.inputSize());
    for (int i = 0; i < x.length(); i++) {
      x.putScalar(i, r.nextDouble());
    }
    INDArray eps = Nd4j.create(DataType.DOUBLE, n, c.latent());
    for (int i = 0; i < eps.length(); i++) {
      eps.putScalar(i, r.nextGaussian());
    }
    return Batch.of(Map.of("x", x, "eps", eps), n);
  }
}
