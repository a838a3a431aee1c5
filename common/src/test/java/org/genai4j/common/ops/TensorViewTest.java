package org.genai4j.common.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

class TensorViewTest {

  @Test
  void copyAndZeroOfARowRangeTouchOnlyItsRows() {
    Tensor t = Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 3, 2);
    assertArrayEquals(new float[] {2, 3, 4, 5}, t.rowRange(1, 3).copy().toArray());
    Tensor dst = Tensor.of(new float[] {9, 9, 9, 9, 9, 9}, 3, 2);
    dst.rowRange(2, 3).copyFrom(t.rowRange(0, 1));
    assertArrayEquals(new float[] {9, 9, 9, 9, 0, 1}, dst.toArray());
    dst.rowRange(1, 2).zero();
    assertArrayEquals(new float[] {9, 9, 0, 0, 0, 1}, dst.toArray());
  }
}
