package org.genai4j.samples.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.genai4j.common.util.BenchTable;
import org.genai4j.common.util.Threads;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Measures ND4J at 1 and 2 (or the given) thread counts set at runtime through {@link Threads}:
 * a GEMM (BLAS pool) and a large element-wise op (ND4J's op pool). Besides wall time it reports
 * process CPU time / wall time, which shows how many cores the setting really kept busy.
 *
 * <p>Run: {@code java -cp "$(cat samples/target/classpath.txt)" org.genai4j.samples.bench.ThreadsBench [threads...]}
 */
public final class ThreadsBench {
  private ThreadsBench() {}

  public static void main(String[] args) throws IOException {
    int[] counts = args.length == 0 ? new int[] {1, 2, 1, 2} : java.util.Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
    INDArray a = Nd4j.rand(DataType.FLOAT, 768, 768);
    INDArray b = Nd4j.rand(DataType.FLOAT, 768, 768);
    INDArray big = Nd4j.rand(DataType.FLOAT, 4_000_000);
    System.out.println("machine: " + Threads.machine());
    BenchTable t = new BenchTable("ND4J threads set at runtime", "threads", "op", "ms/op", "cpu/wall");
    for (int n : counts) {
      Threads.set(n);
      measure(t, n, "mmul 768x768x768", 20, () -> a.mmul(b));
      measure(t, n, "tanh 4M floats", 30, () -> Transforms.tanh(big, true));
    }
    t.print(System.out);
  }

  private static void measure(BenchTable t, int n, String op, int reps, Runnable body) throws IOException {
    body.run(); // warm-up
    long cpu0 = processCpuNanos();
    long t0 = System.nanoTime();
    for (int i = 0; i < reps; i++) {
      body.run();
    }
    long wall = System.nanoTime() - t0;
    long cpu = processCpuNanos() - cpu0;
    t.row(n, op, wall / 1e6 / reps, (double) cpu / wall);
  }

  /** User + system CPU time of this process (all threads, native ones included), from /proc. */
  static long processCpuNanos() throws IOException {
    String stat = Files.readString(Path.of("/proc/self/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
    return ticks * 10_000_000L; // USER_HZ = 100
  }
}
