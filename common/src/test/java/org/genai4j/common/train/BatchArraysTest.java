package org.genai4j.common.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class BatchArraysTest {

  @Test
  void gathersTheRowsPullRowsWould() {
    INDArray data = Nd4j.rand(DataType.FLOAT, 50, 13);
    int[] rows = {7, 0, 49, 7, 23};
    INDArray got = new BatchArrays(DataType.FLOAT, rows.length, 13).gatherRows(data, rows);
    assertArrayEquals(Nd4j.pullRows(data, 1, rows).data().asFloat(), got.data().asFloat(), 0f);
    INDArray doubles = data.castTo(DataType.DOUBLE);
    INDArray viaNd4j = new BatchArrays(DataType.DOUBLE, rows.length, 13).gatherRows(doubles, rows);
    assertArrayEquals(Nd4j.pullRows(doubles, 1, rows).data().asDouble(), viaNd4j.data().asDouble(), 0.0);
  }

  @Test
  void aReleasedBatchLendsItsArrayOnceAndAnUnreleasedOneNever() {
    INDArray data = Nd4j.rand(DataType.FLOAT, 20, 4);
    BatchArrays pool = new BatchArrays(DataType.FLOAT, 3, 4);
    INDArray first = pool.gatherRows(data, new int[] {1, 2, 3});
    Batch batch = new Batch(Map.of("x", first), 3, 3, pool.giveBack(first));
    INDArray kept = pool.gatherRows(data, new int[] {4, 5, 6});
    assertNotSame(first, kept, "an array still in a batch is not lent again");
    batch.release();
    batch.release(); // a second release must not put the array in the pool twice
    INDArray reused = pool.gatherRows(data, new int[] {7, 8, 9});
    assertSame(first, reused);
    assertArrayEquals(Nd4j.pullRows(data, 1, new int[] {7, 8, 9}).data().asFloat(), reused.data().asFloat(), 0f);
    assertNotSame(first, pool.gatherRows(data, new int[] {0, 0, 0}), "released once, lent once");
  }

  @Test
  void refusesRowsOutsideTheDataAndShapesThatDoNotFit() {
    INDArray data = Nd4j.rand(DataType.FLOAT, 5, 4);
    BatchArrays pool = new BatchArrays(DataType.FLOAT, 2, 4);
    assertThrows(IndexOutOfBoundsException.class, () -> pool.gatherRows(data, new int[] {1, 5}));
    assertThrows(IllegalArgumentException.class, () -> pool.gatherRows(data, new int[] {1, 2, 3}));
  }
}
