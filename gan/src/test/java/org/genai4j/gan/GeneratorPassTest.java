package org.genai4j.gan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.genai4j.common.ops.StepContext;
import org.genai4j.common.ops.Tensor;
import org.genai4j.common.train.Batch;
import org.genai4j.common.train.Gradients;
import org.junit.jupiter.api.Test;

/**
 * The G step reuses its D step's generator pass exactly when running G again would compute the
 * same: then its results equal a G step that runs G itself, bit for bit, and G's running
 * statistics take one update per step; when G, the noise or the step changed, it runs G again.
 */
class GeneratorPassTest {
  private static final DcganConfig C = DcganTest.tiny(28, 1);
  private static final StepContext STEP = StepContext.training(1, 0);

  private final GanBatches source = new GanBatches(DcganTest.images(C, 16, 5), C, 4);
  private final Batch batch = source.next(new Random(1));

  @Test
  void sameNoiseAndGeneratorReuseThePassWithTheSameResults() {
    Dcgan reusing = new Dcgan(C, 7);
    DcganTrainable r = new DcganTrainable(reusing);
    r.discriminator().computeGradients(batch, STEP);
    Map<String, float[]> afterD = DcganTest.snapshot(reusing);
    Map<String, float[]> got = copy(r.generator().computeGradients(batch, STEP));

    Dcgan alone = new Dcgan(C, 7);
    Map<String, float[]> want = copy(new DcganTrainable(alone).generator().computeGradients(batch, STEP));
    assertEquals(want.keySet(), got.keySet());
    want.forEach((k, v) -> assertArrayEquals(v, got.get(k), k));
    // Reused: G did not run again, so its running statistics kept the D step's single update ...
    runningOfGenerator(afterD).forEach((k, v) -> assertArrayEquals(v, DcganTest.snapshot(reusing).get(k), k));
    // ... which is the one update a G step that runs G itself makes.
    runningOfGenerator(DcganTest.snapshot(alone)).forEach((k, v) -> assertArrayEquals(v, afterD.get(k), k));
  }

  @Test
  void aChangedGeneratorIsRunAgain() {
    Consumer<Dcgan> change = m -> scale(m.params().get("generator.up1.weight").value(), 1.2f);
    assertRunsAgain(change, batch, STEP);
  }

  @Test
  void otherNoiseOrAnotherStepIsRunAgain() {
    assertRunsAgain(m -> {}, source.next(new Random(2)), STEP);
    assertRunsAgain(m -> {}, batch, StepContext.training(1, 1));
  }

  /** D step on {@link #batch}, then {@code change}, then a G step on {@code b} at {@code ctx} equals that G step alone. */
  private void assertRunsAgain(Consumer<Dcgan> change, Batch b, StepContext ctx) {
    Dcgan m = new Dcgan(C, 7);
    DcganTrainable t = new DcganTrainable(m);
    t.discriminator().computeGradients(batch, STEP);
    change.accept(m);
    Map<String, float[]> afterD = DcganTest.snapshot(m);
    Map<String, float[]> got = copy(t.generator().computeGradients(b, ctx));
    Dcgan alone = new Dcgan(C, 7);
    change.accept(alone);
    Map<String, float[]> want = copy(new DcganTrainable(alone).generator().computeGradients(b, ctx));
    want.forEach((k, v) -> assertArrayEquals(v, got.get(k), k));
    // G ran again: a second update of its running statistics.
    Map<String, float[]> now = DcganTest.snapshot(m);
    runningOfGenerator(afterD).forEach((k, v) -> assertFalse(java.util.Arrays.equals(v, now.get(k)), k));
  }

  private static Map<String, float[]> runningOfGenerator(Map<String, float[]> snapshot) {
    Map<String, float[]> r = new java.util.TreeMap<>();
    snapshot.forEach((k, v) -> {
      if (k.startsWith(Dcgan.GENERATOR) && k.contains("running_")) {
        r.put(k, v);
      }
    });
    return r;
  }

  private static Map<String, float[]> copy(Gradients g) {
    Map<String, float[]> m = new java.util.TreeMap<>();
    m.put("loss", new float[] {(float) g.loss()});
    g.metrics().forEach((k, v) -> m.put("metric " + k, new float[] {v.floatValue()}));
    g.gradients().forEach((k, v) -> m.put(k, v.dup('c').data().asFloat()));
    return m;
  }

  private static void scale(Tensor t, float s) {
    float[] v = t.toArray();
    for (int i = 0; i < v.length; i++) {
      v[i] *= s;
    }
    t.write(0, v, 0, v.length);
  }
}
