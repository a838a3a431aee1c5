package org.genai4j.gan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.genai4j.common.train.Batch;
import org.genai4j.common.train.Gradients;
import org.genai4j.common.train.ParameterGroup;
import org.genai4j.common.util.Shards;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The hand-written DCGAN step ({@link DcganKernel}) against the SameDiff graphs it replaces: the
 * same loss, metrics, running-statistics update and every gradient, for each image size, and with
 * its batch split over 1, 2 or 3 threads ({@link Shards}; the default in tests is 2, the core count).
 */
class FastGanStepTest {
  private static final double TOL = 1e-4;

  @Test
  void discriminatorAndGeneratorStepsEqualSameDiffs() {
    for (int size : new int[] {28, 32, 64}) {
      DcganConfig c = DcganTest.tiny(size, size == 32 ? 3 : 1);
      compare(c, 6, 11 + size);
    }
  }

  @Test
  void labelSmoothingAndWiderNetworksToo() {
    DcganConfig c = DcganConfig.of(28, 1).withBaseFeatures(8).withLatentSize(16).withLabelSmoothing(0.9);
    compare(c, 5, 3);
  }

  @Test
  void aSmallerBatchAfterALargerOneUsesItsOwnBuffers() {
    DcganConfig c = DcganTest.tiny(28, 1);
    Dcgan m = new Dcgan(c, 8);
    GanBatches big = new GanBatches(DcganTest.images(c, 20, 1), c, 8);
    m.fastGroup(true).computeGradients(big.next(new Random(1)));
    m.fastGroup(false).computeGradients(big.next(new Random(1)));
    compareOn(m, new GanBatches(DcganTest.images(c, 20, 2), c, 3).next(new Random(2)), "batch 3 after 8");
  }

  @Test
  void theGeneratorStepReusesTheDiscriminatorStepsPassOnlyWhenZAndGAreUnchanged() {
    DcganConfig c = DcganTest.tiny(28, 1);
    Dcgan m = new Dcgan(c, 5);
    GanBatches source = new GanBatches(DcganTest.images(c, 20, 3), c, 4);
    Batch b = source.next(new Random(3));
    m.fastGroup(true).computeGradients(b);
    long reused = m.kernel().reusedForwards();
    // G changed between the two steps: the generator step must run G again, and still match SameDiff.
    // (A scale, not a large shift: +0.01 on every weight of this tiny G saturates tanh, and D's batch
    // norm over near-constant generated images is then too ill-conditioned for a FLOAT comparison.)
    m.generator().parameters().get("G/up1/w").muli(1.2);
    compareOn(m, b, "G changed after the D step");
    m.fastGroup(true).computeGradients(b);
    // Another z with the same G: no reuse either.
    Batch other = source.next(new Random(4));
    long before = m.kernel().reusedForwards();
    compareOn(m, other, "new z");
    // compareOn runs the fast D step then the fast G step on the same batch: that G step reuses.
    assertEquals(before + 1, m.kernel().reusedForwards());
    assertTrue(reused == 0);
  }

  @Test
  void shardedStepsEqualTheUnshardedStepAndSameDiffs() {
    // Batch 5 on 3 shards: uneven shards, and in the discriminator step (real and generated images
    // stacked, 10 rows split 4/3/3) a shard that straddles the two batch-norm groups.
    DcganConfig c = DcganTest.tiny(28, 1);
    // {batch, threads, parts per thread}: fixed shares of the batch per thread, and parts taken as they come.
    int[][] cases = {{6, 2, 1}, {5, 3, 1}, {5, 2, 1}, {6, 2, 2}, {5, 3, 2}, {5, 2, 2}};
    try {
      for (int[] k : cases) {
        int batch = k[0];
        int shards = k[1];
        DcganKernel.setPartsPerThread(k[2]);
        Batch b = new GanBatches(DcganTest.images(c, 4 * batch, 7), c, batch).next(new Random(7));
        Shards.setCount(1);
        Map<String, Object> one = fastSteps(new Dcgan(c, 9), b);
        Shards.setCount(shards);
        Dcgan m = new Dcgan(c, 9);
        Map<String, Object> many = fastSteps(m, b);
        String label = "batch " + batch + " on " + shards + " threads x " + k[2] + " parts";
        assertEquals(one.keySet(), many.keySet(), label);
        for (var e : one.entrySet()) {
          if (e.getValue() instanceof Double want) {
            assertEquals(want, (Double) many.get(e.getKey()), 1e-6 * Math.max(1, Math.abs(want)), label + " " + e.getKey());
          } else {
            double rel = relDiff((INDArray) many.get(e.getKey()), (INDArray) e.getValue());
            assertTrue(rel < 1e-5, label + " " + e.getKey() + " differs from 1 shard's by " + rel);
          }
        }
        // Parts are combined in a fixed order: a rerun gives the same bits, whichever thread took which part.
        Map<String, Object> again = fastSteps(new Dcgan(c, 9), b);
        many.forEach((name, v) -> assertEquals(bits(v), bits(again.get(name)), label + " rerun " + name));
        compareOn(new Dcgan(c, 9), b, label);
      }
    } finally {
      Shards.setCount(0);
      DcganKernel.setPartsPerThread(DcganKernel.DEFAULT_PARTS_PER_THREAD);
    }
  }

  /** A value as a comparable list of exact bits (INDArray's equals allows a tolerance). */
  private static Object bits(Object v) {
    if (v instanceof INDArray a) {
      return java.util.Arrays.toString(org.genai4j.common.nn.NativeFloats.toArray(a.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT)));
    }
    return v;
  }

  /** Loss, metrics, gradients and running-statistics buffers after a fast D step then a fast G step. */
  private static Map<String, Object> fastSteps(Dcgan m, Batch b) {
    Map<String, Object> out = new java.util.TreeMap<>();
    for (boolean d : new boolean[] {true, false}) {
      ParameterGroup fast = m.fastGroup(d);
      Gradients g = fast.computeGradients(b);
      String p = fast.name() + " ";
      out.put(p + "loss", g.loss());
      g.metrics().forEach((k, v) -> out.put(p + "metric " + k, v));
      g.gradients().forEach((k, v) -> out.put(p + "gradient " + k, v.dup()));
      fast.buffers().forEach((k, v) -> out.put(p + "buffer " + k, v.dup()));
    }
    return out;
  }

  private static void compare(DcganConfig c, int batch, long seed) {
    Dcgan m = new Dcgan(c, seed);
    Batch b = new GanBatches(DcganTest.images(c, 4 * batch, seed), c, batch).next(new Random(seed));
    compareOn(m, b, c.imageSize() + "x" + c.imageSize() + "x" + c.channels());
  }

  private static void compareOn(Dcgan m, Batch b, String what) {
    for (boolean d : new boolean[] {true, false}) {
      ParameterGroup reference = m.sameDiffGroup(d);
      ParameterGroup fast = m.fastGroup(d);
      String label = what + " " + reference.name() + " step";
      Map<String, INDArray> params = copy(reference.parameters());
      Map<String, INDArray> before = copy(reference.buffers());
      Gradients want = reference.computeGradients(b);
      Map<String, INDArray> wantGrads = copy(want.gradients());
      Map<String, INDArray> wantBuffers = copy(reference.buffers());
      restore(reference.buffers(), before);
      Gradients got = fast.computeGradients(b);

      assertEquals(want.loss(), got.loss(), 1e-4 * Math.max(1, Math.abs(want.loss())), label + " loss");
      assertEquals(want.metrics().keySet(), got.metrics().keySet(), label + " metrics");
      want.metrics().forEach((k, v) -> assertEquals(v, got.metrics().get(k), 1e-5, label + " metric " + k));
      assertEquals(wantGrads.keySet(), got.gradients().keySet(), label + " gradient names");
      for (var e : wantGrads.entrySet()) {
        INDArray g = got.gradients().get(e.getKey());
        assertTrue(java.util.Arrays.equals(e.getValue().shape(), g.shape()), label + " shape of " + e.getKey());
        double rel = relDiff(g, e.getValue());
        assertTrue(rel < TOL, label + " gradient " + e.getKey() + " differs by " + rel + " (norm " + e.getValue().norm2Number() + ")");
      }
      assertTrue(!wantBuffers.isEmpty());
      for (var e : wantBuffers.entrySet()) {
        INDArray wantDelta = e.getValue().sub(before.get(e.getKey()));
        INDArray gotDelta = reference.buffers().get(e.getKey()).sub(before.get(e.getKey()));
        double rel = relDiff(gotDelta, wantDelta);
        assertTrue(rel < TOL, label + " running statistic " + e.getKey() + " update differs by " + rel);
      }
      params.forEach((k, v) -> assertEquals(v, reference.parameters().get(k), label + " changed parameter " + k));
    }
  }

  private static double relDiff(INDArray got, INDArray want) {
    double n = want.norm2Number().doubleValue();
    return got.sub(want).norm2Number().doubleValue() / Math.max(n, 1e-12);
  }

  private static Map<String, INDArray> copy(Map<String, INDArray> m) {
    Map<String, INDArray> c = new HashMap<>();
    m.forEach((k, v) -> c.put(k, v.dup()));
    return c;
  }

  private static void restore(Map<String, INDArray> live, Map<String, INDArray> saved) {
    saved.forEach((k, v) -> live.get(k).assign(v));
  }
}
