package org.genai4j.llm.model;

import org.bytedeco.javacpp.FloatPointer;
import org.genai4j.common.nn.Sgemm;

/**
 * {@link Sgemm#gemm} that also adds up the time spent in matrix products, so a benchmark can say
 * how much of a step is BLAS and how much the Java loops around it (System.nanoTime costs ~25 ns,
 * against a microsecond or more per product).
 */
final class GemmClock {
  private long nanos;
  private long calls;

  void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, NativeFloats a, long aOff, int lda,
      NativeFloats b, long bOff, int ldb, float beta, NativeFloats c, long cOff, int ldc) {
    long t0 = System.nanoTime();
    Sgemm.gemm(transA, transB, m, n, k, alpha, a.ptr, aOff, lda, b.ptr, bOff, ldb, beta, c.ptr, cOff, ldc);
    nanos += System.nanoTime() - t0;
    calls++;
  }

  long nanos() {
    return nanos;
  }

  long calls() {
    return calls;
  }
}
