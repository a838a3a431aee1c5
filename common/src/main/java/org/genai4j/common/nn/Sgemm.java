package org.genai4j.common.nn;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Row-major single-precision matrix products called straight into OpenBLAS, the BLAS that ND4J's
 * CPU backend ships with. {@code Nd4j.gemm} dispatches an op (about 0.15-0.25 ms per call here,
 * whatever the size); this costs about a microsecond, which matters to hand-written training steps
 * that make hundreds of small products (one per attention head). Operands are plain FLOAT arrays
 * addressed by element offset and leading dimension, so sub-matrices (a head's columns, one
 * sequence's rows) need no copy.
 */
public final class Sgemm {
  private Sgemm() {}

  /**
   * A pointer to the first element of {@code a}, which must be a FLOAT, c-ordered array that is not
   * a view (so its elements are contiguous from offset 0). The array must stay referenced while the
   * pointer is used: the pointer does not own the memory.
   */
  public static FloatPointer pointer(INDArray a) {
    if (a.dataType() != DataType.FLOAT) {
      throw new IllegalArgumentException("expected a FLOAT array, got " + a.dataType());
    }
    if (a.isView() || a.offset() != 0 || a.ordering() != 'c' || a.data().length() < a.length()) {
      throw new IllegalArgumentException("expected a contiguous c-ordered array that is not a view, got shape "
          + java.util.Arrays.toString(a.shape()) + " order " + a.ordering() + " offset " + a.offset());
    }
    return new FloatPointer(a.data().addressPointer()).capacity(a.length());
  }

  /**
   * A pointer to the first element of {@code a}, which may also be a view as long as its elements
   * are contiguous in C order (e.g. a block of rows of a fresh array, which threads working on parts
   * of a batch use): the pointer addresses the view's first element. FLOAT only; as {@link
   * #pointer}, the array must stay referenced while the pointer is used.
   */
  public static FloatPointer blockPointer(INDArray a) {
    if (!a.isView() && a.offset() == 0) {
      return pointer(a);
    }
    if (a.dataType() != DataType.FLOAT) {
      throw new IllegalArgumentException("expected a FLOAT array, got " + a.dataType());
    }
    long expected = 1;
    for (int d = a.rank() - 1; d >= 0; d--) {
      if (a.size(d) != 1 && a.stride(d) != expected) {
        throw new IllegalArgumentException("expected a view whose elements are contiguous in C order, got shape "
            + java.util.Arrays.toString(a.shape()) + " strides " + java.util.Arrays.toString(a.stride()));
      }
      expected *= a.size(d);
    }
    // A view's data() starts at data().offset() of the original buffer (ND4J M2.1), where its
    // addressPointer() points; the view's first element is offset() - data().offset() further on.
    long start = a.offset() - a.data().offset();
    if (start < 0 || start + a.length() > a.data().length()) {
      throw new IllegalArgumentException("view outside its buffer: offset " + a.offset() + " length " + a.length());
    }
    FloatPointer base = new FloatPointer(a.data().addressPointer()).capacity(a.data().length());
    return base.position(start);
  }

  /**
   * {@code C = alpha * op(A) @ op(B) + beta * C} with {@code op(A)} of shape {@code [m, k]} and
   * {@code op(B)} {@code [k, n]}, all row-major; {@code aOff}, {@code bOff}, {@code cOff} are
   * element offsets into the pointers and {@code lda}, {@code ldb}, {@code ldc} the row strides
   * of the stored (untransposed) matrices. The pointers come from {@link #pointer}; one may be
   * passed for several operands (e.g. Q and K columns of one buffer).
   */
  public static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
      FloatPointer a, long aOff, int lda, FloatPointer b, long bOff, int ldb, float beta,
      FloatPointer c, long cOff, int ldc) {
    if (m == 0 || n == 0) {
      return;
    }
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, m, n, k,
        alpha, at(a, aOff), lda, at(b, bOff), ldb, beta, at(c, cOff), ldc);
  }

  /** A fresh pointer {@code off} elements into {@code p}, leaving {@code p} itself untouched. */
  private static FloatPointer at(FloatPointer p, long off) {
    return new FloatPointer(p).position(p.position() + off);
  }
}
