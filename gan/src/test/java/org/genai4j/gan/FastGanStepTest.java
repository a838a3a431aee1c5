package org.genai4j.gan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.genai4j.common.train.Batch;
import org.genai4j.common.train.Gradients;
import org.genai4j.common.train.ParameterGroup;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The hand-written DCGAN step ({@link DcganKernel}) against the SameDiff graphs it replaces: the
 * same loss, metrics, running-statistics update and every gradient, for each image size.
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
