package org.genai4j.common.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.genai4j.common.ops.RotaryEmbedding.Layout;
import org.genai4j.common.testing.OpCheck;
import org.junit.jupiter.api.Test;

class RotaryEmbeddingTest {

  /**
   * The rotation in double, written from the formula: pair (a, b) of each of the {@code heads}
   * heads of {@code d} from column {@code column} of row (s, t) turns by {@code (pos + t) theta^(-2i/d)}.
   */
  static double[] rope(double[] x, int batch, int time, int width, int column, int heads, int d, double theta,
      Layout layout, int pos) {
    double[] y = x.clone();
    for (int s = 0; s < batch; s++) {
      for (int t = 0; t < time; t++) {
        for (int h = 0; h < heads; h++) {
          int base = (s * time + t) * width + column + h * d;
          for (int i = 0; i < d / 2; i++) {
            int a = layout == Layout.HALVES ? base + i : base + 2 * i;
            int b = layout == Layout.HALVES ? a + d / 2 : a + 1;
            double angle = (pos + t) * Math.pow(theta, -2.0 * i / d);
            y[a] = x[a] * Math.cos(angle) - x[b] * Math.sin(angle);
            y[b] = x[a] * Math.sin(angle) + x[b] * Math.cos(angle);
          }
        }
      }
    }
    return y;
  }

  @Test
  void rotatesAsTheFormulaInBothLayoutsAndBack() {
    for (Layout layout : Layout.values()) {
      RotaryEmbedding rope = new RotaryEmbedding(4, 20, 10000, layout);
      Tensor x = LinearTest.random(1, 2, 5, 14);
      double[] before = x.toDoubles();
      rope.rotate(x, 2, 5, 14, 2, 3, 7, false);
      OpCheck.assertClose(layout + " rotation", rope(before, 2, 5, 14, 2, 3, 4, 10000, layout, 7), x.toDoubles(), 1e-5);
      rope.rotate(x, 2, 5, 14, 2, 3, 7, true);
      OpCheck.assertClose(layout + " inverse", before, x.toDoubles(), 1e-5);
    }
  }

  @Test
  void aProductDependsOnlyOnTheDistance() {
    RotaryEmbedding rope = new RotaryEmbedding(8, 64, 500, Layout.HALVES);
    Tensor q = LinearTest.random(2, 1, 1, 8);
    Tensor k = LinearTest.random(3, 1, 1, 8);
    double first = dot(rotated(rope, q, 3), rotated(rope, k, 1));
    double later = dot(rotated(rope, q, 40), rotated(rope, k, 38));
    assertEquals(first, later, 1e-4);
    assertTrue(Math.abs(first - dot(rotated(rope, q, 40), rotated(rope, k, 30))) > 1e-3, "another distance differs");
  }

  @Test
  void thePairLayoutIsTheHalfLayoutOnPermutedCoordinates() {
    int d = 6;
    RotaryEmbedding pairs = new RotaryEmbedding(d, 10, 10000, Layout.PAIRS);
    RotaryEmbedding halves = new RotaryEmbedding(d, 10, 10000, Layout.HALVES);
    Tensor x = LinearTest.random(4, 1, 3, d);
    // Coordinate 2i of the pair layout is i of the half layout, 2i + 1 is i + d/2.
    Tensor permuted = Tensor.zeros(1, 3, d);
    for (int t = 0; t < 3; t++) {
      for (int i = 0; i < d / 2; i++) {
        permuted.set(t * d + i, x.get(t * d + 2 * i));
        permuted.set(t * d + i + d / 2, x.get(t * d + 2 * i + 1));
      }
    }
    pairs.rotate(x, 1, 3, d, 0, 1, 2, false);
    halves.rotate(permuted, 1, 3, d, 0, 1, 2, false);
    for (int t = 0; t < 3; t++) {
      for (int i = 0; i < d / 2; i++) {
        assertEquals(x.get(t * d + 2 * i), permuted.get(t * d + i), 0f);
        assertEquals(x.get(t * d + 2 * i + 1), permuted.get(t * d + i + d / 2), 0f);
      }
    }
  }

  @Test
  void badSettingsAreNamed() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new RotaryEmbedding(5, 8, 10000, Layout.PAIRS))
        .getMessage().contains("even"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new RotaryEmbedding(4, 8, 1, Layout.PAIRS))
        .getMessage().contains("theta"));
    RotaryEmbedding rope = new RotaryEmbedding(4, 8, 10000, Layout.PAIRS);
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> rope.rotate(Tensor.zeros(1, 3, 4), 1, 3, 4, 0, 1, 6, false)).getMessage().contains("[6, 9)"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> CausalSelfAttention.builder(2, 8, 16).rotary(rope).build()).getMessage().contains("block size 16"));
  }

  private static Tensor rotated(RotaryEmbedding rope, Tensor v, int pos) {
    Tensor c = v.copy();
    rope.rotate(c, 1, 1, v.dim(2), 0, 1, pos, false);
    return c;
  }

  private static double dot(Tensor a, Tensor b) {
    double s = 0;
    for (int i = 0; i < a.length(); i++) {
      s += (double) a.get(i) * b.get(i);
    }
    return s;
  }
}
