package org.genai4j.gan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.genai4j.common.ops.Param;
import org.genai4j.common.ops.StepContext;
import org.genai4j.common.train.Batch;
import org.genai4j.common.train.Checkpoint;
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

  /** Random images {@code [n, C, H, W]} in [0, 1]. */
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
        // One D and one G gradient pass at this size, each with a gradient for every parameter of its network.
        DcganTrainable t = new DcganTrainable(m);
        Batch b = new GanBatches(images(c, 4, 2), c, 2).next(new Random(1));
        StepContext ctx = StepContext.training(1, 0);
        assertEquals(t.discriminator().parameters().keySet(), t.discriminator().computeGradients(b, ctx).gradients().keySet());
        assertEquals(t.generator().parameters().keySet(), t.generator().computeGradients(b, ctx).gradients().keySet());
      }
    }
  }

  @Test
  void referenceShapesAndNamesAreAPyTorchStateDict() {
    Dcgan m = new Dcgan(DcganConfig.fashionMnist(), 1);
    Map<String, int[]> shapes = new HashMap<>();
    m.params().list().forEach(p -> shapes.put(p.name(), p.shape()));
    m.params().buffers().forEach((k, v) -> shapes.put(k, v.shape()));
    assertArrayEquals(new int[] {7 * 7 * 128, 100}, shapes.get("generator.project.weight"));
    assertArrayEquals(new int[] {128}, shapes.get("generator.bn0.running_var"));
    assertArrayEquals(new int[] {128, 64, 4, 4}, shapes.get("generator.up1.weight"));
    assertArrayEquals(new int[] {64}, shapes.get("generator.bn1.weight"));
    assertArrayEquals(new int[] {64, 1, 4, 4}, shapes.get("generator.up2.weight"));
    assertArrayEquals(new int[] {1}, shapes.get("generator.up2.bias"));
    assertArrayEquals(new int[] {64, 1, 4, 4}, shapes.get("discriminator.down1.weight"));
    assertArrayEquals(new int[] {64}, shapes.get("discriminator.down1.bias"));
    assertArrayEquals(new int[] {128, 64, 4, 4}, shapes.get("discriminator.down2.weight"));
    assertArrayEquals(new int[] {128}, shapes.get("discriminator.bn2.running_mean"));
    assertArrayEquals(new int[] {1, 7 * 7 * 128}, shapes.get("discriminator.logit.weight"));
    assertArrayEquals(new int[] {1}, shapes.get("discriminator.logit.bias"));
    assertEquals(21, shapes.size(), "no other tensors: " + shapes.keySet());
    assertFalse(shapes.containsKey("generator.project.bias"), "G's projection has no bias");
    // DCGAN's initialization: weights N(0, 0.02), batch-norm gains N(1, 0.02), biases 0.
    assertEquals(0.02, std(m.params().get("discriminator.down2.weight")), 0.002);
    assertEquals(0.02, std(m.params().get("generator.project.weight")), 0.002);
    assertEquals(1.0, mean(m.params().get("generator.bn0.weight")), 0.01);
    assertEquals(0.02, std(m.params().get("generator.bn0.weight")), 0.006);
    assertEquals(0.0, std(m.params().get("discriminator.bn2.bias")), 0.0);
  }

  private static double mean(Param p) {
    double s = 0;
    for (double v : p.value().toDoubles()) {
      s += v;
    }
    return s / p.value().length();
  }

  private static double std(Param p) {
    double m = mean(p);
    double s = 0;
    for (double v : p.value().toDoubles()) {
      s += (v - m) * (v - m);
    }
    return Math.sqrt(s / p.value().length());
  }

  @Test
  void aDiscriminatorStepChangesOnlyTheDiscriminatorAndViceVersa() {
    DcganConfig c = tiny(28, 1);
    GanBatches source = new GanBatches(images(c, 16, 4), c, 8);
    Dcgan m = new Dcgan(c, 3);
    DcganTrainable t = new DcganTrainable(m);
    stepOnly(m, t, t.discriminator(), source);
    stepOnly(m, t, t.generator(), source);
  }

  /**
   * One trainer step of {@code stepped} alone: its parameters change, the other network's
   * parameters and buffers do not. (G's running statistics follow G's training passes, which the
   * D step runs, as PyTorch's example does.)
   */
  private static void stepOnly(Dcgan m, DcganTrainable t, ParameterGroup stepped, GanBatches source) {
    Map<String, float[]> before = snapshot(m);
    Trainable only = new Trainable() {
      public List<ParameterGroup> parameterGroups() {
        return List.of(stepped);
      }

      public String configJson() {
        return t.configJson();
      }
    };
    OptimizerConfig adam = OptimizerConfig.adam(LrSchedule.constant(1e-2), 0.5, 0.999);
    new Trainer(only, adam, TrainerConfig.of(1, 9)).fit(source);
    String mine = stepped.name().equals("D") ? Dcgan.DISCRIMINATOR : Dcgan.GENERATOR;
    Map<String, float[]> after = snapshot(m);
    for (var e : before.entrySet()) {
      boolean same = java.util.Arrays.equals(e.getValue(), after.get(e.getKey()));
      boolean param = !e.getKey().contains("running_");
      if (e.getKey().startsWith(mine)) {
        if (param) {
          assertFalse(same, stepped.name() + " step did not change " + e.getKey());
        }
      } else if (param || stepped.name().equals("G")) {
        assertTrue(same, stepped.name() + " step changed " + e.getKey());
      }
    }
  }

  @Test
  void eachNetworkAloneFitsAFixedBatch() {
    DcganConfig c = tiny(28, 1);
    Batch fixed = new GanBatches(images(c, 16, 3), c, 8).next(new Random(3));
    for (boolean discriminator : new boolean[] {true, false}) {
      Dcgan m = new Dcgan(c, 4);
      DcganTrainable t = new DcganTrainable(m);
      ParameterGroup g = discriminator ? t.discriminator() : t.generator();
      Trainable only = new Trainable() {
        public List<ParameterGroup> parameterGroups() {
          return List.of(g);
        }

        public String configJson() {
          return t.configJson();
        }
      };
      OptimizerConfig adam = OptimizerConfig.adam(LrSchedule.constant(5e-3), 0.5, 0.999);
      double first = new Trainer(only, adam, TrainerConfig.of(1, 1)).fit(rng -> fixed).loss();
      double last = new Trainer(only, adam, TrainerConfig.of(40, 1)).fit(rng -> fixed).loss();
      // D learns to tell these real images from G's (loss from ~1.39 = 2 ln 2 towards 0); G alone
      // learns to fool the fixed D (loss from ~0.69 = ln 2 towards 0).
      assertTrue(last < 0.3 * first, g.name() + " alone: loss " + first + " -> " + last);
    }
  }

  /** Every parameter and buffer of the model, by name. */
  static Map<String, float[]> snapshot(Dcgan m) {
    Map<String, float[]> s = new HashMap<>();
    m.params().list().forEach(p -> s.put(p.name(), p.value().toArray()));
    m.params().buffers().forEach((k, v) -> s.put(k, v.toArray()));
    return s;
  }

  @Test
  void samplingIsDeterministicPerSeed() {
    Dcgan m = new Dcgan(tiny(28, 1), 1);
    assertEquals(m.generate(4, 9), m.generate(4, 9));
    assertFalse(m.generate(4, 9).equals(m.generate(4, 10)));
    // Sampling more images draws the same first ones, across the generator's chunks too.
    INDArray many = m.generate(300, 9);
    assertEquals(m.generate(4, 9), many.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 4)));
    // A training step in between (batch statistics) does not change what sampling gives for fixed weights.
    DcganTrainable t = new DcganTrainable(m);
    INDArray before = m.generate(4, 9);
    Batch b = new GanBatches(images(tiny(28, 1), 8, 1), tiny(28, 1), 4).next(new Random(1));
    Map<String, float[]> running = snapshot(m);
    t.discriminator().computeGradients(b, StepContext.training(1, 0));
    m.params().buffers().forEach((k, v) -> v.write(0, running.get(k), 0, v.length()));
    assertEquals(before, m.generate(4, 9));
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
    var e3 = assertThrows(IllegalArgumentException.class, () -> new GanBatches(images(c, 10, 1), c, 11));
    assertTrue(e3.getMessage().contains("batch size"), e3.getMessage());
    var e4 = assertThrows(IllegalArgumentException.class, () -> new Dcgan(c, 1).generateFrom(Nd4j.zeros(2, 5)));
    assertTrue(e4.getMessage().contains("[n, 8]"), e4.getMessage());
    var e5 = assertThrows(IllegalArgumentException.class, () -> new Dcgan(c, 1).generate(0, 1));
    assertTrue(e5.getMessage().contains(">= 1"), e5.getMessage());
    var e6 = assertThrows(IllegalArgumentException.class, () -> new Dcgan(c, 1).discriminate(images(tiny(32, 1), 2, 1)));
    assertTrue(e6.getMessage().contains("[N, 1, 28, 28]"), e6.getMessage());
  }

  @Test
  void loadingNamesWhatIsMissingOrMisshaped(@TempDir Path dir) {
    var none = assertThrows(IllegalArgumentException.class, () -> Dcgan.load(dir.resolve("nothing")));
    assertTrue(none.getMessage().contains("run folder not found"), none.getMessage());
    var empty = assertThrows(IllegalArgumentException.class, () -> Dcgan.load(dir));
    assertTrue(empty.getMessage().contains("no checkpoint"), empty.getMessage());

    DcganConfig c = tiny(28, 1);
    Dcgan m = new Dcgan(c, 2);
    Checkpoint saved = Checkpoint.of(new DcganTrainable(m), null, 0, 2, Map.of());
    Path good = dir.resolve("good");
    saved.write(good);
    assertEquals(m.generate(3, 1), Dcgan.load(good).generate(3, 1), "loads back");

    Map<String, INDArray> fewer = new java.util.LinkedHashMap<>(saved.model());
    fewer.remove("generator.bn1.running_var");
    new Checkpoint(0, 2, saved.configJson(), Map.of(), fewer, Map.of()).write(dir.resolve("missing"));
    var missing = assertThrows(IllegalArgumentException.class, () -> Dcgan.load(dir.resolve("missing")));
    assertTrue(missing.getMessage().contains("'generator.bn1.running_var'"), missing.getMessage());

    Map<String, INDArray> wrong = new java.util.LinkedHashMap<>(saved.model());
    wrong.put("discriminator.down2.weight", Nd4j.zeros(DataType.FLOAT, 8, 4, 3, 3));
    new Checkpoint(0, 2, saved.configJson(), Map.of(), wrong, Map.of()).write(dir.resolve("misshaped"));
    var misshaped = assertThrows(IllegalArgumentException.class, () -> Dcgan.load(dir.resolve("misshaped")));
    assertTrue(misshaped.getMessage().contains("'discriminator.down2.weight'")
        && misshaped.getMessage().contains("[8, 4, 3, 3]"), misshaped.getMessage());

    new Checkpoint(0, 2, "{\"vocab\": 65}", Map.of(), saved.model(), Map.of()).write(dir.resolve("other"));
    var other = assertThrows(IllegalArgumentException.class, () -> Dcgan.load(dir.resolve("other")));
    assertTrue(other.getMessage().contains("not a DCGAN checkpoint"), other.getMessage());
    assertFalse(other.getMessage().contains("\n"), "one line: " + other.getMessage());
  }
}
