package org.genai4j.common.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.genai4j.common.testing.OpCheck;
import org.junit.jupiter.api.Test;

class ReshapeAndConcatTest {

  @Test
  void reshapeIsAViewBothWays() {
    Reshape r = Reshape.to(2, 3, 3);
    StepContext ctx = StepContext.training(1, 0);
    Tensor x = LinearTest.random(1, 4, 18);
    Tensor y = r.forward(ctx, x);
    assertArrayEquals(new int[] {4, 2, 3, 3}, y.shape());
    assertSame(y, r.forward(ctx, x), "the same view while the input is the same tensor");
    y.set(7, 42f);
    assertEquals(42f, x.get(7), "a view: no copy");
    Tensor dy = LinearTest.random(2, 4, 2, 3, 3);
    Tensor dx = r.backward(ctx, dy);
    assertArrayEquals(new int[] {4, 18}, dx.shape());
    dx.set(5, -1f);
    assertEquals(-1f, dy.get(5));
    OpCheck.of(r, LinearTest.random(3, 2, 18), (in, p) -> in.clone()).assertCorrect();
  }

  @Test
  void flattenTakesAnyExampleShape() {
    Reshape f = Reshape.flatten();
    assertArrayEquals(new int[] {3, 60}, f.forward(StepContext.inference(), Tensor.zeros(3, 4, 5, 3)).shape());
    var e = assertThrows(IllegalArgumentException.class,
        () -> Reshape.to(2, 3, 3).forward(StepContext.inference(), Tensor.zeros(4, 17)));
    assertTrue(e.getMessage().contains("18") && e.getMessage().contains("[4, 17]"), e.getMessage());
  }

  @Test
  void copyAndZeroReachTheViewsRows() {
    // Tensor.copyFrom and zero on a block of rows further into a tensor (which ConcatRows relies on).
    Tensor t = Tensor.zeros(4, 3);
    t.fill(1f);
    Tensor src = LinearTest.random(7, 2, 3);
    t.rowRange(2, 4).copyFrom(src);
    t.rowRange(1, 2).zero();
    float[] all = t.toArray();
    assertArrayEquals(new float[] {1f, 1f, 1f, 0f, 0f, 0f}, java.util.Arrays.copyOfRange(all, 0, 6));
    assertArrayEquals(src.toArray(), java.util.Arrays.copyOfRange(all, 6, 12));
  }

  @Test
  void concatStacksRowsAndHandsBackViews() {
    ConcatRows c = new ConcatRows();
    StepContext ctx = StepContext.training(1, 0);
    Tensor a = LinearTest.random(4, 2, 1, 2, 2);
    Tensor b = LinearTest.random(5, 3, 1, 2, 2);
    Tensor y = c.forward(ctx, a, b);
    assertArrayEquals(new int[] {5, 1, 2, 2}, y.shape());
    float[] all = y.toArray();
    assertArrayEquals(a.toArray(), java.util.Arrays.copyOfRange(all, 0, 8));
    assertArrayEquals(b.toArray(), java.util.Arrays.copyOfRange(all, 8, 20));
    Tensor dy = LinearTest.random(6, 5, 1, 2, 2);
    Tensor db = c.backward(ctx, dy, 1);
    assertArrayEquals(new int[] {3, 1, 2, 2}, db.shape());
    assertArrayEquals(java.util.Arrays.copyOfRange(dy.toArray(), 8, 20), db.toArray());
    var e = assertThrows(IllegalArgumentException.class, () -> c.forward(ctx, a, Tensor.zeros(2, 2, 2, 2)));
    assertTrue(e.getMessage().contains("part 1"), e.getMessage());
  }
}
