package org.genai4j.llm.model;

import org.bytedeco.javacpp.FloatPointer;
import org.genai4j.common.nn.Sgemm;

/**
 * {@link Sgemm#gemm} that also adds up the time spent in matrix products, so a profile can say
 * how much of a step is BLAS and how much the Java loops around it (System.nanoTime costs ~25 ns,
 * against a microsecond or more per product). Also the clock of {@link GptKernel}'s phases.
 */
final class GemmClock {
  private static final java.lang.management.ThreadMXBean THREADS =
      java.lang.management.ManagementFactory.getThreadMXBean();
  private long nanos;
  private long calls;
  private boolean cpuTime;

  /**
   * Measure this thread's CPU time instead of wall time (about 1 us per reading instead of 25 ns):
   * on a shared machine, wall time also counts the other processes. BLAS runs in this thread
   * when ND4J has one thread.
   */
  void useCpuTime(boolean on) {
    cpuTime = on;
  }

  /** Now, in wall or this thread's CPU nanoseconds. */
  long now() {
    return cpuTime ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
  }

  void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, NativeFloats a, long aOff, int lda,
      NativeFloats b, long bOff, int ldb, float beta, NativeFloats c, long cOff, int ldc) {
    long t0 = now();
    Sgemm.gemm(transA, transB, m, n, k, alpha, a.ptr, aOff, lda, b.ptr, bOff, ldb, beta, c.ptr, cOff, ldc);
    nanos += now() - t0;
    calls++;
  }

  long nanos() {
    return nanos;
  }

  long calls() {
    return calls;
  }
}
