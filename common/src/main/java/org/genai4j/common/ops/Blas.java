package org.genai4j.common.ops;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_saxpy;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemv;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sscal;

import org.bytedeco.javacpp.FloatPointer;

/**
 * Single-precision BLAS on {@link Tensor}s, called straight into OpenBLAS (the BLAS ND4J's CPU
 * backend ships with). {@code Nd4j.gemm} dispatches an op, about 0.15-0.25 ms per call whatever the
 * size; this costs about a microsecond, which matters to small models that make hundreds of small
 * products (one per attention head). Operands are addressed by element offset and leading
 * dimension, so sub-matrices (a head's columns, one sequence's rows) need no copy. Large products
 * of whole matrices over a long inner dimension go to oneDNN instead ({@link OneDnnGemm}).
 */
public final class Blas {
  private Blas() {}

  /**
   * {@code C = alpha * op(A) @ op(B) + beta * C}, all row-major, {@code op(A)} of shape {@code [m, k]}
   * and {@code op(B)} {@code [k, n]}; {@code aOff}, {@code bOff}, {@code cOff} are element offsets
   * into the tensors and {@code lda}, {@code ldb}, {@code ldc} the row strides of the stored
   * (untransposed) matrices.
   */
  public static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Tensor a, int aOff,
      int lda, Tensor b, int bOff, int ldb, float beta, Tensor c, int cOff, int ldc) {
    if (m == 0 || n == 0) {
      return;
    }
    checkSpan(a, aOff, transA ? k : m, transA ? m : k, lda, "A");
    checkSpan(b, bOff, transB ? n : k, transB ? k : n, ldb, "B");
    checkSpan(c, cOff, m, n, ldc, "C");
    if (m == 1) {
      // One row (decoding one token): a matrix-vector product, which OpenBLAS does without packing
      // B as its gemm would (3-4x faster at the sizes of a small model's step).
      cblas_sgemv(CblasRowMajor, transB ? CblasNoTrans : CblasTrans, transB ? n : k, transB ? k : n, alpha,
          at(b, bOff), ldb, at(a, aOff), transA ? lda : 1, beta, at(c, cOff), 1);
      return;
    }
    if (OneDnnGemm.suits(m, n, k) && lda == (transA ? m : k) && ldb == (transB ? k : n) && ldc == n) {
      OneDnnGemm.gemm(transA, transB, m, n, k, alpha, a.matrix(aOff, transA ? k : m, lda),
          b.matrix(bOff, transB ? n : k, ldb), beta, c.matrix(cOff, m, n));
      return;
    }
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, m, n, k,
        alpha, at(a, aOff), lda, at(b, bOff), ldb, beta, at(c, cOff), ldc);
  }

  /** {@code C = alpha * op(A) @ op(B) + beta * C} for whole tensors seen as matrices of their stored shape. */
  public static void gemm(boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta, Tensor c) {
    int aRows = a.rows();
    int aCols = a.rowLength();
    int bRows = b.rows();
    int bCols = b.rowLength();
    int m = transA ? aCols : aRows;
    int k = transA ? aRows : aCols;
    int n = transB ? bRows : bCols;
    if ((transB ? bCols : bRows) != k || c.rows() != m || c.rowLength() != n) {
      throw new IllegalArgumentException("gemm shapes do not fit: A " + a + (transA ? "^T" : "") + ", B " + b
          + (transB ? "^T" : "") + ", C " + c);
    }
    gemm(transA, transB, m, n, k, alpha, a, 0, aCols, b, 0, bCols, beta, c, 0, n);
  }

  /** {@code y[0..n) += alpha * x[0..n)}. */
  static void axpy(int n, float alpha, Tensor x, Tensor y) {
    if (n > 0) {
      cblas_saxpy(n, alpha, at(x, 0), 1, at(y, 0), 1);
    }
  }

  /** {@code x[0..n) *= alpha}. */
  static void scal(int n, float alpha, Tensor x) {
    if (n > 0) {
      cblas_sscal(n, alpha, at(x, 0), 1);
    }
  }

  private static FloatPointer at(Tensor t, int off) {
    FloatPointer base = t.basePointer();
    return new FloatPointer(base).position(base.position() + t.offset() + off);
  }

  /** A stored {@code rows x cols} matrix with row stride {@code ld} must lie inside the tensor. */
  private static void checkSpan(Tensor t, int off, int rows, int cols, int ld, String what) {
    if (rows == 0 || cols == 0) {
      return;
    }
    long last = off + (long) (rows - 1) * ld + cols;
    if (off < 0 || ld < cols || last > t.length()) {
      throw new IllegalArgumentException("gemm operand " + what + " (" + rows + " x " + cols + ", offset " + off
          + ", stride " + ld + ") lies outside " + t);
    }
  }
}
