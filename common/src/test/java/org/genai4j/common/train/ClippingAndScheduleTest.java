package org.genai4j.common.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ClippingAndScheduleTest {

  private static Map<String, INDArray> grads() {
    Map<String, INDArray> g = new LinkedHashMap<>();
    g.put("a", Nd4j.createFromArray(3.0, 0.0));
    g.put("b", Nd4j.createFromArray(new double[][] {{0.0, 4.0}, {0.0, 12.0}}));
    return g; // global norm sqrt(9 + 16 + 144) = 13
  }

  @Test
  void globalNormIsTheNormOfAllGradientsTogether() {
    assertEquals(13.0, GradientClipping.globalNorm(grads()), 1e-12);
  }

  @Test
  void clippingScalesDownToMaxNorm() {
    Map<String, INDArray> g = grads();
    assertEquals(13.0, GradientClipping.clipGlobalNorm(g, 1.3), 1e-12);
    assertEquals(1.3, GradientClipping.globalNorm(g), 1e-6);
    // Direction is kept: every element scaled by the same factor.
    assertEquals(0.3, g.get("a").getDouble(0), 1e-6);
    assertEquals(1.2, g.get("b").getDouble(1, 1), 1e-6);
  }

  @Test
  void clippingLeavesSmallGradientsUntouched() {
    Map<String, INDArray> g = grads();
    GradientClipping.clipGlobalNorm(g, 20);
    assertEquals(grads(), g);
    GradientClipping.clipGlobalNorm(g, 0); // 0 disables
    assertEquals(grads(), g);
  }

  @Test
  void warmupRisesLinearlyThenCosineDecaysToMin() {
    LrSchedule s = LrSchedule.warmupCosine(1.0, 0.1, 4, 14);
    // Warmup: (step + 1) / (warmup + 1) of the maximum.
    assertEquals(0.2, s.lr(0), 1e-12);
    assertEquals(0.4, s.lr(1), 1e-12);
    assertEquals(0.8, s.lr(3), 1e-12);
    // Cosine: the maximum at the end of warmup, halfway at mid-decay, the minimum at decaySteps.
    assertEquals(1.0, s.lr(4), 1e-12);
    assertEquals(0.55, s.lr(9), 1e-12);
    assertEquals(0.1, s.lr(14), 1e-12);
    assertEquals(0.1, s.lr(1000), 1e-12);
    for (long t = 4; t < 14; t++) {
      assertEquals(true, s.lr(t + 1) < s.lr(t), "not decreasing at " + t);
    }
    assertEquals(0.3, LrSchedule.constant(0.3).lr(12345), 0);
  }

  @Test
  void badScheduleIsRejectedWithTheValues() {
    var e = assertThrows(IllegalArgumentException.class, () -> LrSchedule.warmupCosine(0.1, 0.2, 1, 10));
    assertEquals(true, e.getMessage().contains("minLr=0.2"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> LrSchedule.warmupCosine(0.1, 0.0, 20, 10));
  }
}
