package org.genai4j.common.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.genai4j.common.testing.OpCheck;
import org.junit.jupiter.api.Test;

class DropoutTest {

  static Tensor ones(int... shape) {
    Tensor t = Tensor.zeros(shape);
    t.fill(1f);
    return t;
  }

  @Test
  void inferenceAndZeroProbabilityAreTheIdentityWithoutACopy() {
    Tensor x = LinearTest.random(1, 3, 4);
    Dropout d = new Dropout(0.5, 1);
    assertSame(x, d.forward(StepContext.inference(), x));
    Tensor dy = LinearTest.random(2, 3, 4);
    assertSame(dy, d.backward(StepContext.inference(), dy));
    Dropout none = new Dropout(0.0, 1);
    StepContext train = StepContext.training(1, 0);
    assertSame(x, none.forward(train, x));
    assertSame(dy, none.backward(train, dy));
  }

  @Test
  void keptElementsAreScaledAndAboutPAreDropped() {
    double p = 0.3;
    Dropout d = new Dropout(p, 5);
    int rows = 8;
    int cols = 5000;
    float[] y = d.forward(StepContext.training(42, 7), ones(rows, cols)).toArray();
    int dropped = 0;
    for (float v : y) {
      if (v == 0f) {
        dropped++;
      } else {
        assertEquals(1 / (1 - p), v, 1e-6, "a kept element is scaled by 1/(1-p)");
      }
    }
    int n = rows * cols;
    double sigma = Math.sqrt(n * p * (1 - p));
    assertEquals(n * p, dropped, 4 * sigma, "dropped count");
    // Neighbours and rows are independent: both of two neighbours dropped about p^2 of the time, and
    // the same element of two rows likewise.
    int pairs = 0;
    int across = 0;
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c + 1 < cols; c++) {
        if (y[r * cols + c] == 0 && y[r * cols + c + 1] == 0) {
          pairs++;
        }
        if (r + 1 < rows && y[r * cols + c] == 0 && y[(r + 1) * cols + c] == 0) {
          across++;
        }
      }
    }
    double m = rows * (cols - 1.0);
    assertEquals(m * p * p, pairs, 5 * Math.sqrt(m * p * p), "neighbouring elements dropped together");
    double ma = (rows - 1) * (cols - 1.0);
    assertEquals(ma * p * p, across, 5 * Math.sqrt(ma * p * p), "the same element of two rows dropped together");
  }

  @Test
  void matchesTheMaskItDrawsAndItsGradientIsTheMask() {
    Dropout d = new Dropout(0.4, 9);
    StepContext ctx = StepContext.training(3, 11);
    // The mask, from the op itself: dropout of ones. The reference applies it in double.
    double[] mask = d.forward(ctx, ones(3, 2, 50)).toDoubles();
    long zeros = Arrays.stream(mask).filter(v -> v == 0).count();
    assertTrue(zeros > 80 && zeros < 160, "about 0.4 of 300 dropped, got " + zeros);
    OpCheck.of(d, LinearTest.random(4, 3, 2, 50), (x, p) -> {
      double[] y = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        y[i] = x[i] * mask[i];
      }
      return y;
    }).context(ctx).samplesPerTensor(100).assertCorrect();
  }

  @Test
  void masksDependOnStepStreamAndRowButNotOnSharding() {
    Dropout d = new Dropout(0.5, 2);
    StepContext whole = StepContext.training(5, 1);
    float[] all = d.forward(whole, ones(4, 64)).toArray();
    ShardExchange two = new ShardExchange(2);
    // Shards see their own rows from 0; firstRow places them in the batch. No exchange is made, so one thread runs both.
    float[] first = new Dropout(0.5, 2).forward(whole.forShard(0, 0, two), ones(1, 64)).toArray();
    float[] rest = new Dropout(0.5, 2).forward(whole.forShard(1, 1, two), ones(3, 64)).toArray();
    assertArrayEquals(Arrays.copyOfRange(all, 0, 64), first);
    assertArrayEquals(Arrays.copyOfRange(all, 64, 256), rest);
    // One shard of one: the same.
    float[] alone = new Dropout(0.5, 2).forward(whole.forShard(0, 0, new ShardExchange(1)), ones(4, 64)).toArray();
    assertArrayEquals(all, alone);
    // Rows differ from each other; another step or stream draws other masks.
    assertFalse(Arrays.equals(Arrays.copyOfRange(all, 0, 64), Arrays.copyOfRange(all, 64, 128)));
    assertFalse(Arrays.equals(all, d.forward(StepContext.training(5, 2), ones(4, 64)).toArray()));
    assertFalse(Arrays.equals(all, new Dropout(0.5, 3).forward(whole, ones(4, 64)).toArray()));
  }

  @Test
  void rowsLongerThanAChunkAndProbabilityIsChecked() {
    Dropout d = new Dropout(0.25, 1);
    StepContext ctx = StepContext.training(1, 1);
    Tensor x = LinearTest.random(1, 2, 3000);
    float[] y = d.forward(ctx, x).toArray();
    float[] dx = d.backward(ctx, x).toArray();
    assertArrayEquals(y, dx, "the gradient of a linear map of x applied to x is its output");
    float[] xs = x.toArray();
    int dropped = 0;
    for (int i = 0; i < xs.length; i++) {
      if (y[i] == 0) {
        dropped++;
      } else {
        assertEquals(xs[i] / 0.75f, y[i], 1e-5f);
      }
    }
    assertTrue(dropped > 1300 && dropped < 1700, "dropped " + dropped + " of 6000");
    assertThrows(IllegalArgumentException.class, () -> new Dropout(1.0, 1));
    assertThrows(IllegalArgumentException.class, () -> new Dropout(-0.1, 1));
  }
}
