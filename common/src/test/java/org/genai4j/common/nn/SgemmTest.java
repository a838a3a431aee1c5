package org.genai4j.common.nn;

import static org.junit.jupiter.api.Assertions.*;

import org.bytedeco.javacpp.FloatPointer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Sgemm agrees with ND4J's mmul, with transposes, offsets into sub-matrices and beta. */
class SgemmTest {

  @Test
  void matchesMmulForEveryTransposeCombination() {
    Nd4j.getRandom().setSeed(1);
    for (boolean ta : new boolean[] {false, true}) {
      for (boolean tb : new boolean[] {false, true}) {
        INDArray a = Nd4j.randn(DataType.FLOAT, ta ? 7 : 5, ta ? 5 : 7);
        INDArray b = Nd4j.randn(DataType.FLOAT, tb ? 3 : 7, tb ? 7 : 3);
        INDArray c = Nd4j.create(DataType.FLOAT, 5, 3);
        Sgemm.gemm(ta, tb, 5, 3, 7, 1f, Sgemm.pointer(a), 0, (int) a.size(1), Sgemm.pointer(b), 0,
            (int) b.size(1), 0f, Sgemm.pointer(c), 0, 3);
        INDArray expected = (ta ? a.transpose() : a).mmul(tb ? b.transpose() : b);
        assertTrue(expected.equalsWithEps(c, 1e-5), "transA " + ta + " transB " + tb);
      }
    }
  }

  /** Sub-matrices addressed by offset and leading dimension, one pointer for two operands, beta = 1. */
  @Test
  void subMatricesOfOneBuffer() {
    Nd4j.getRandom().setSeed(2);
    INDArray qk = Nd4j.randn(DataType.FLOAT, 6, 8); // columns 0..3 are Q, 4..7 are K
    INDArray c = Nd4j.randn(DataType.FLOAT, 6, 6);
    INDArray expected = c.add(qk.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 4))
        .mmul(qk.get(NDArrayIndex.all(), NDArrayIndex.interval(4, 8)).transpose()).mul(0.5));
    FloatPointer p = Sgemm.pointer(qk);
    Sgemm.gemm(false, true, 6, 6, 4, 0.5f, p, 0, 8, p, 4, 8, 1f, Sgemm.pointer(c), 0, 6);
    assertTrue(expected.equalsWithEps(c, 1e-5));
    assertEquals(0, p.position(), "the caller's pointer is not moved");
  }

  @Test
  void rejectsViewsAndOtherTypes() {
    assertThrows(IllegalArgumentException.class, () -> Sgemm.pointer(Nd4j.create(DataType.DOUBLE, 2, 2)));
    INDArray view = Nd4j.create(DataType.FLOAT, 4, 4).get(NDArrayIndex.interval(1, 3), NDArrayIndex.all());
    assertThrows(IllegalArgumentException.class, () -> Sgemm.pointer(view));
  }

  @Test
  void blockPointersAddressRowBlocksAndNativeFloatsCopyThem() {
    INDArray a = Nd4j.rand(DataType.FLOAT, 6, 3);
    INDArray b = Nd4j.rand(DataType.FLOAT, 3, 2);
    INDArray c = Nd4j.zeros(DataType.FLOAT, 6, 2);
    INDArray aRows = a.get(NDArrayIndex.interval(2, 5), NDArrayIndex.all());
    INDArray cRows = c.get(NDArrayIndex.interval(2, 5), NDArrayIndex.all());
    Sgemm.gemm(false, false, 3, 2, 3, 1f, Sgemm.blockPointer(aRows), 0, 3, Sgemm.pointer(b), 0, 2, 0f,
        Sgemm.blockPointer(cRows), 0, 2);
    assertTrue(aRows.mmul(b).equalsWithEps(cRows, 1e-5));
    assertEquals(0.0, c.get(NDArrayIndex.interval(0, 2), NDArrayIndex.all()).sumNumber().doubleValue(), "rows outside the block");
    assertEquals(0.0, c.get(NDArrayIndex.interval(5, 6), NDArrayIndex.all()).sumNumber().doubleValue(), "rows outside the block");
    // NativeFloats: a row block read into and written from the matching part of a float[] mirror.
    float[] mirror = new float[18];
    NativeFloats.read(aRows, mirror, 6);
    for (int i = 0; i < 9; i++) {
      assertEquals(a.getFloat(2 + i / 3, i % 3), mirror[6 + i]);
    }
    INDArray target = Nd4j.zeros(DataType.FLOAT, 6, 3);
    NativeFloats.write(mirror, 6, target.get(NDArrayIndex.interval(2, 5), NDArrayIndex.all()));
    assertEquals(aRows, target.get(NDArrayIndex.interval(2, 5), NDArrayIndex.all()));
    assertEquals(0.0, target.get(NDArrayIndex.interval(0, 2), NDArrayIndex.all()).sumNumber().doubleValue());
    INDArray columns = a.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 2));
    assertThrows(IllegalArgumentException.class, () -> Sgemm.blockPointer(columns));
    assertThrows(IllegalArgumentException.class, () -> NativeFloats.read(columns, new float[12], 0));
  }
}
