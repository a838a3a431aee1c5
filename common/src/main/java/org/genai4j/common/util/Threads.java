package org.genai4j.common.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * ND4J's CPU thread count, settable at runtime, and a one-line machine description for benchmark
 * tables. ND4J runs work on three pools that all have to agree: its own op threads ({@code
 * Environment.maxThreads} / {@code maxMasterThreads}), OpenMP loops inside the native library,
 * and OpenBLAS's GEMM threads. On a small machine under load more threads can be much slower
 * (the README's Threads section has the figures), so every benchmark states the count it ran with.
 *
 * <p>Measured in M2.1: {@code Environment.setMaxThreads} is a no-op (the op pool is sized once,
 * from {@code OMP_NUM_THREADS} or the core count, when ND4J loads), but {@code setMaxMasterThreads}
 * lowers the threads ops actually use down from that size and back up to it; OpenMP and BLAS
 * follow {@code set} both ways. So {@link #set} can use fewer threads than the JVM started with,
 * and more only up to {@link #startupMax()} for ND4J's own ops: start the JVM without {@code
 * OMP_NUM_THREADS=1} to be free to choose.
 */
public final class Threads {
  private Threads() {}

  /**
   * Sets ND4J's CPU thread pools to {@code n} threads: OpenMP and BLAS exactly, ND4J's own ops to
   * {@code min(n, startupMax())}.
   */
  public static void set(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("thread count must be >= 1, got " + n);
    }
    Nd4j.getEnvironment().setMaxThreads(n);
    Nd4j.getEnvironment().setMaxMasterThreads(n);
    NativeOps ops = nativeOps();
    ops.setOmpNumThreads(n);
    ops.setOmpMinThreads(Math.min(n, ops.ompGetMaxThreads()));
    Nd4j.factory().blas().setMaxThreads(n);
  }

  /**
   * Sets only OpenBLAS's GEMM threads, leaving ND4J's ops and OpenMP as they are. Measured on a
   * 2-core machine: a second OpenMP thread slows ND4J's small ops down, but OpenBLAS splits a large
   * product (e.g. 768x384x128) over two cores at 1.7-1.9x the speed of one, and keeps a small one
   * (below its own size threshold) on the calling thread. So hand-written training steps, which
   * spend most of their time in large products, want {@code set(1)} then {@code setBlas(cores)}.
   */
  public static void setBlas(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("BLAS thread count must be >= 1, got " + n);
    }
    Nd4j.factory().blas().setMaxThreads(n);
  }

  /**
   * Sets the OpenMP thread count of the calling thread only (OpenMP keeps it per thread), for
   * worker threads that run native ops, e.g. {@link Parallel}'s. Costs one native call when it
   * changes nothing.
   */
  static void setOpenMpForThisThread(int n) {
    NativeOps ops = nativeOps();
    if (ops.ompGetMaxThreads() != n) {
      ops.setOmpNumThreads(n);
    }
  }

  /** The thread count ND4J's own ops use now (its master threads, capped by {@link #startupMax()}). */
  public static int current() {
    return Nd4j.getEnvironment().maxMasterThreads();
  }

  /** The size of ND4J's op thread pool, fixed when the native library loaded. */
  public static int startupMax() {
    return Nd4j.getEnvironment().maxThreads();
  }

  /** The OpenMP thread count of ND4J's native library. */
  public static int openMp() {
    return nativeOps().ompGetMaxThreads();
  }

  /** The BLAS (GEMM) thread count. */
  public static int blas() {
    return Nd4j.factory().blas().getMaxThreads();
  }

  /**
   * One line for benchmark tables: CPU model, core count, JVM, {@code OMP_NUM_THREADS}, the ND4J
   * backend and binary build, and the thread counts in effect.
   */
  public static String machine() {
    NativeOps ops = nativeOps();
    String omp = System.getenv("OMP_NUM_THREADS");
    boolean onednn = ops.buildInfo().toUpperCase(java.util.Locale.ROOT).contains("ONEDNN");
    return String.format("%s, %d cores | Java %s (%s) | ND4J %s %s, %s%s, binary %s | OMP_NUM_THREADS=%s"
            + " | threads ops=%d/%d omp=%d blas=%d | load average %s",
        cpuModel(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
        System.getProperty("java.vm.name"), nd4jVersion(), Nd4j.getBackend().getClass().getSimpleName(),
        Nd4j.factory().blas().getBlasVendor(), onednn ? " + oneDNN" : "", level(ops.binaryLevel()),
        omp == null || omp.isBlank() ? "unset" : omp, current(), startupMax(), openMp(), blas(),
        loadAverage());
  }

  /** The 1-minute load average ("n/a" where the OS does not give one): a benchmark's noise level. */
  public static String loadAverage() {
    double l = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    return l < 0 ? "n/a" : String.format(java.util.Locale.ROOT, "%.2f", l);
  }

  /** ND4J's native library; the backend must be loaded first or NativeOpsHolder fails to initialize. */
  private static NativeOps nativeOps() {
    Nd4j.getBackend();
    return NativeOpsHolder.getInstance().getDeviceNativeOps();
  }

  /** The CPU model name from {@code /proc/cpuinfo}, or the OS architecture when unavailable. */
  public static String cpuModel() {
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
      for (String l : lines) {
        if (l.startsWith("model name")) {
          return l.substring(l.indexOf(':') + 1).trim().replaceAll("\\s+", " ");
        }
      }
    } catch (IOException | RuntimeException ignored) {
      // Not Linux: fall through.
    }
    return System.getProperty("os.arch");
  }

  private static String nd4jVersion() {
    String v = Nd4j.class.getPackage().getImplementationVersion();
    return v == null ? "1.0.0-M2.1" : v;
  }

  /** libnd4j's binary levels: 0 generic x86-64, 1 AVX2, 2 AVX-512. */
  private static String level(int l) {
    return switch (l) {
      case 0 -> "generic";
      case 1 -> "avx2";
      case 2 -> "avx512";
      default -> "level " + l;
    };
  }
}
