package org.genai4j.gan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.genai4j.common.train.LrSchedule;
import org.genai4j.common.train.OptimizerConfig;
import org.genai4j.common.train.ParameterGroup;
import org.genai4j.common.train.Trainable;
import org.genai4j.common.train.Trainer;
import org.genai4j.common.train.TrainerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class DcganTest {

  /** A narrow DCGAN so the tests take seconds. */
  static DcganConfig tiny(int size, int channels) {
    return DcganConfig.of(size, channels).withBaseFeatures(4).withLatentSize(8);
  }

  static INDArray images(DcganConfig c, int n, long seed) {
    Nd4j.getRandom().setSeed(seed);
    return Nd4j.rand(DataType.FLOAT, n, c.channels(), c.imageSize(), c.imageSize());
  }

  @Test
  void bothNetworksHaveTheRightShapesForEverySize() {
    for (int size : new int[] {28, 32, 64}) {
      for (int ch : new int[] {1, 3}) {
        DcganConfig c = tiny(size, ch);
        Dcgan m = new Dcgan(c, 1);
        INDArray img = m.generate(3, 5);
        assertArrayEquals(new long[] {3, ch, size, size}, img.shape(), "generator " + size + "x" + ch);
        assertTrue(img.minNumber().doubleValue() >= 0 && img.maxNumber().doubleValue() <= 1);
        INDArray p = m.discriminate(img);
        assertArrayEquals(new long[] {3, 1}, p.shape(), "discriminator " + size + "x" + ch);
        // One D and one G gradient pass at this size (batch-statistics graphs).
        var b = new GanBatches(images(c, 4, 2), c, 2).next(new Random(1));
        assertEquals(m.discriminator().parameters().keySet(), m.discriminator().computeGradients(b).gradients().keySet());
        assertEquals(m.generator().parameters().keySet(), m.generator().computeGradients(b).gradients().keySet());
      }
    }
  }

  @Test
  void referenceShapeMatchesTheIssue() {
    Dcgan m = new Dcgan(DcganConfig.fashionMnist(), 1);
    Map<String, INDArray> g = m.generator().parameters();
    assertArrayEquals(new long[] {100, 7 * 7 * 128}, g.get("G/project/w").shape());
    assertArrayEquals(new long[] {4, 4, 64, 128}, g.get("G/up1/w").shape());
    assertArrayEquals(new long[] {4, 4, 1, 64}, g.get("G/up2/w").shape());
    Map<String, INDArray> d = m.discriminator().parameters();
    assertArrayEquals(new long[] {4, 4, 1, 64}, d.get("D/down1/w").shape());
    assertArrayEquals(new long[] {4, 4, 64, 128}, d.get("D/down2/w").shape());
    assertArrayEquals(new long[] {7 * 7 * 128, 1}, d.get("D/logit/w").shape());
    assertEquals(0.02, d.get("D/down2/w").stdNumber().doubleValue(), 0.002);
  }

  @Test
  void aDiscriminatorStepChangesOnlyTheDiscriminatorAndViceVersa() {
    DcganConfig c = tiny(28, 1);
    Dcgan m = new Dcgan(c, 3);
    GanBatches source = new GanBatches(images(c, 16, 4), c, 8);
    stepOnly(m, m.discriminator(), source);
    stepOnly(m, m.generator(), source);
  }

  private static void stepOnly(Dcgan m, ParameterGroup stepped, GanBatches source) {
    Map<String, INDArray> before = snapshot(m);
    Trainable only = new Trainable() {
      public List<ParameterGroup> parameterGroups() {
        return List.of(stepped);
      }

      public String configJson() {
        return m.configJson();
      }
    };
    OptimizerConfig adam = OptimizerConfig.adam(LrSchedule.constant(1e-2), 0.5, 0.999);
    new Trainer(only, adam, TrainerConfig.of(1, 9)).fit(source);
    for (ParameterGroup g : m.parameterGroups()) {
      for (var e : g.parameters().entrySet()) {
        boolean same = before.get(e.getKey()).equals(e.getValue());
        if (g == stepped) {
          assertFalse(same, stepped.name() + " step did not change " + e.getKey());
        } else {
          assertTrue(same, stepped.name() + " step changed " + e.getKey());
        }
      }
    }
  }

  private static Map<String, INDArray> snapshot(Trainable m) {
    Map<String, INDArray> s = new HashMap<>();
    for (ParameterGroup g : m.parameterGroups()) {
      g.parameters().forEach((k, v) -> s.put(k, v.dup()));
      g.buffers().forEach((k, v) -> s.put(k, v.dup()));
    }
    return s;
  }

  @Test
  void resumingGivesExactlyTheUninterruptedRun(@TempDir Path dir) throws Exception {
    DcganConfig c = tiny(28, 1);
    INDArray data = images(c, 40, 6);
    GanTrainOptions opts = new GanTrainOptions(2, 8, 21, dir.resolve("full"), false, false);
    Dcgan full = GanTraining.train(data, c, opts).model();

    Path half = dir.resolve("half");
    GanTraining.train(data, c, new GanTrainOptions(1, 8, 21, half, false, false));
    assertTrue(Files.exists(half.resolve("grid-epoch-001.png")));
    Dcgan resumed = GanTraining.train(data, c, new GanTrainOptions(2, 8, 21, half, true, false)).model();
    assertTrue(Files.exists(half.resolve("grid-epoch-002.png")));

    Map<String, INDArray> a = snapshot(full);
    Map<String, INDArray> b = snapshot(resumed);
    assertEquals(a.keySet(), b.keySet());
    a.forEach((k, v) -> assertEquals(v, b.get(k), "after resume, " + k + " differs"));
    var ca = org.genai4j.common.train.Checkpoint.read(dir.resolve("full").resolve(Trainer.LAST));
    var cb = org.genai4j.common.train.Checkpoint.read(half.resolve(Trainer.LAST));
    assertEquals(ca.step(), cb.step());
    ca.model().forEach((k, v) -> assertEquals(v, cb.model().get(k), "checkpoint array " + k + " differs"));
    ca.optimizer().forEach((k, v) -> assertEquals(v, cb.optimizer().get(k), "checkpoint optimizer state " + k + " differs"));

    // The saved run loads back and generates the same images as the trained model.
    Dcgan loaded = Dcgan.load(half);
    assertEquals(resumed.generate(5, 3), loaded.generate(5, 3));
    var e = assertThrows(IllegalArgumentException.class, () -> GanTraining.train(data, c, opts));
    assertTrue(e.getMessage().contains("already holds"), e.getMessage());
  }

  @Test
  void clearErrorsForBadInput(@TempDir Path dir) {
    DcganConfig c = tiny(28, 1);
    var e1 = assertThrows(IllegalArgumentException.class,
        () -> new GanBatches(Nd4j.rand(DataType.FLOAT, 10, 1, 32, 32), c, 4));
    assertTrue(e1.getMessage().contains("[N, 1, 28, 28]"), e1.getMessage());
    var e2 = assertThrows(IllegalArgumentException.class,
        () -> new GanBatches(Nd4j.rand(DataType.FLOAT, 10, 1, 28, 28).muli(255), c, 4));
    assertTrue(e2.getMessage().contains("[0, 1]"), e2.getMessage());
    var e3 = assertThrows(IllegalArgumentException.class, () -> Dcgan.load(dir));
    assertTrue(e3.getMessage().contains("no DCGAN checkpoint"), e3.getMessage());
    var e4 = assertThrows(IllegalArgumentException.class, () -> new Dcgan(c, 1).generateFrom(Nd4j.zeros(2, 5)));
    assertTrue(e4.getMessage().contains("[n, 8]"), e4.getMessage());
  }

  @Test
  void generationIsReproducibleFromTheSeed() {
    Dcgan m = new Dcgan(tiny(28, 1), 1);
    assertEquals(m.generate(4, 9), m.generate(4, 9));
    assertFalse(m.generate(4, 9).equals(m.generate(4, 10)));
  }
}
