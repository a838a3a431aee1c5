package org.genai4j.common.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Several parameter groups (a GAN's D and G) with their own optimizers, stepped in order. */
class TrainerGroupsTest {

  /** A group with one scalar parameter w and loss (w - target)^2, recording the other group's value it saw. */
  static final class Quadratic implements ParameterGroup {
    final String name;
    final INDArray w = Nd4j.scalar(0.0);
    final double target;
    final Quadratic other;
    final List<Double> seenOther = new ArrayList<>();

    Quadratic(String name, double target, Quadratic other) {
      this.name = name;
      this.target = target;
      this.other = other;
    }

    @Override public String name() { return name; }
    @Override public Map<String, INDArray> parameters() { return Map.of("w", w); }

    @Override
    public Gradients computeGradients(Batch b, org.genai4j.common.ops.StepContext ctx) {
      if (other != null) {
        seenOther.add(other.w.getDouble(0));
      }
      double d = w.getDouble(0) - target;
      return new Gradients(d * d, Map.of("w", Nd4j.scalar(2 * d)), Map.of("w", w.getDouble(0)));
    }
  }

  private static Trainable model(ParameterGroup... groups) {
    return new Trainable() {
      @Override public List<ParameterGroup> parameterGroups() { return List.of(groups); }
      @Override public String configJson() { return "{}"; }
    };
  }

  @Test
  void groupsStepInOrderWithTheirOwnOptimizerAndMetrics() {
    Quadratic d = new Quadratic("D", 1.0, null);
    Quadratic g = new Quadratic("G", -2.0, d);
    Trainer t = new Trainer(model(d, g), Map.of(
        "D", OptimizerConfig.sgd(LrSchedule.constant(0.25), 0),
        "G", OptimizerConfig.sgd(LrSchedule.constant(0.5), 0)), TrainerConfig.of(2, 0));
    StepRecord last = t.fit(rng -> Batch.of(Map.of(), 1));
    // D: w <- w - 0.25 * 2 (w - 1): 0 -> 0.5 -> 0.75. G jumps to its target in one step (lr 0.5).
    assertEquals(0.75, d.w.getDouble(0), 1e-12);
    assertEquals(-2.0, g.w.getDouble(0), 1e-12);
    // G is stepped after D, so it sees D's updated weight.
    assertEquals(List.of(0.5, 0.75), g.seenOther);
    // Losses are measured on the batch before the step's update: D at w = 0.5.
    assertEquals(0.25, last.metrics().get("D/loss"), 1e-12);
    assertEquals(0.25, last.loss(), 1e-12, "the main loss is the first group's");
    assertEquals(0.0, last.metrics().get("G/loss"), 1e-12);
    assertEquals(0.5, last.metrics().get("D/w"), 1e-12);
    assertEquals(0.5, last.metrics().get("G/lr"), 1e-12);
  }

  @Test
  void missingOptimizerAndDivergenceAreClearErrors() {
    Quadratic d = new Quadratic("D", 1.0, null);
    var e = assertThrows(IllegalArgumentException.class, () -> new Trainer(model(d),
        Map.of("X", OptimizerConfig.sgd(LrSchedule.constant(0.1), 0)), TrainerConfig.of(1, 0)));
    assertTrue(e.getMessage().contains("'D'"), e.getMessage());

    Quadratic nan = new Quadratic("D", Double.NaN, null);
    Trainer t = new Trainer(model(nan), OptimizerConfig.sgd(LrSchedule.constant(0.1), 0), TrainerConfig.of(3, 0));
    var s = assertThrows(IllegalStateException.class, () -> t.fit(rng -> Batch.of(Map.of(), 1)));
    assertTrue(s.getMessage().contains("'D'") && s.getMessage().contains("NaN") && s.getMessage().contains("step 0"),
        s.getMessage());
  }

  /**
   * The trainer passes a group's own gradient arrays to the optimizer (no copy without
   * accumulation), so neither clipping nor Adam may write into them; and clipping still clips:
   * with a constant gradient g and max norm c, SGD moves w by lr * c * g / |g| per step.
   */
  @Test
  void groupGradientArraysAreNeverWrittenAndClippingStillApplies() {
    for (OptimizerConfig oc : List.of(OptimizerConfig.sgd(LrSchedule.constant(0.1), 0),
        OptimizerConfig.adam(LrSchedule.constant(0.1), 0.9, 0.99))) {
      INDArray w = Nd4j.create(new float[] {1, 2, 3}, 3);
      INDArray grad = Nd4j.create(new float[] {3, 4, 0}, 3); // norm 5
      ParameterGroup group = new ParameterGroup() {
        @Override public String name() { return "g"; }
        @Override public Map<String, INDArray> parameters() { return Map.of("w", w); }
        @Override public Gradients computeGradients(Batch b, org.genai4j.common.ops.StepContext ctx) { return new Gradients(1.0, Map.of("w", grad)); }
      };
      TrainerConfig clip = TrainerConfig.of(3, 0).withClipNorm(1.0);
      StepRecord last = new Trainer(model(group), oc, clip).fit(rng -> Batch.of(Map.of(), 1));
      assertEquals(Nd4j.create(new float[] {3, 4, 0}, 3), grad, oc.kind() + ": gradient array was modified");
      assertEquals(5.0, last.metrics().get("g/grad_norm"), 1e-6);
      if (oc.kind() == OptimizerConfig.Kind.SGD) {
        assertEquals(1 - 3 * 0.1 * 0.6, w.getDouble(0), 1e-5);
        assertEquals(2 - 3 * 0.1 * 0.8, w.getDouble(1), 1e-5);
      }
    }
  }
}
