package org.genai4j.common.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.genai4j.common.testing.OpCheck;
import org.junit.jupiter.api.Test;

class SwiGluTest {

  /** {@code silu(gate) * up} on rows {@code [gate | up]} of width 2H, in double. */
  static double[] reference(double[] x, int half) {
    int rows = x.length / (2 * half);
    double[] y = new double[rows * half];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < half; c++) {
        double g = x[r * 2 * half + c];
        double u = x[r * 2 * half + half + c];
        y[r * half + c] = g / (1 + Math.exp(-g)) * u;
      }
    }
    return y;
  }

  @Test
  void matchesReferenceAndFiniteDifferences() {
    Tensor x = LinearTest.random(1, 2, 3, 10);
    for (int i = 0; i < x.length(); i++) {
      x.set(i, 2 * x.get(i));
    }
    OpCheck.of(new SwiGlu(), x, (in, p) -> reference(in, 5)).samplesPerTensor(60).assertCorrect();
    assertArrayEquals(new int[] {2, 3, 5}, new SwiGlu().forward(StepContext.inference(), x).shape());
  }

  @Test
  void rowsWiderThanOneChunk() {
    // 2H = 2 * 2100: each half spans two chunks of 2048.
    OpCheck.of(new SwiGlu(), LinearTest.random(2, 2, 4200), (in, p) -> reference(in, 2100)).samplesPerTensor(25)
        .assertCorrect();
  }

  @Test
  void oddWidthIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new SwiGlu().forward(StepContext.inference(),
        LinearTest.random(1, 2, 5)));
  }
}
