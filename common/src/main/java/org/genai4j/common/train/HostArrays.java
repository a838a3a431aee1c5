package org.genai4j.common.train;

import java.lang.ref.Reference;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Direct Java access to the memory of dense CPU arrays, for loops that touch each element once
 * (Adam, sums of squares, sums of gradients): one pass in Java beats a chain of ND4J ops, each of which reads and
 * writes the whole array and costs a native call. The NIO buffers do not keep their array alive:
 * callers hold the array until they are done (see {@link java.lang.ref.Reference#reachabilityFence}).
 */
final class HostArrays {
  private HostArrays() {}

  /** True when {@code a} is FLOAT or DOUBLE and its elements lie contiguously in c order. */
  static boolean isDense(INDArray a) {
    DataType t = a.dataType();
    return (t == DataType.FLOAT || t == DataType.DOUBLE)
        && a.length() < Integer.MAX_VALUE
        && (a.length() <= 1 || (a.elementWiseStride() == 1 && (a.ordering() == 'c' || a.isVector())));
  }

  /** The elements of a dense FLOAT array; element i of the array is {@code get(offset(a) + i)}. */
  static FloatBuffer floats(INDArray a) {
    return a.data().asNioFloat();
  }

  /** The elements of a dense DOUBLE array; element i of the array is {@code get(offset(a) + i)}. */
  static DoubleBuffer doubles(INDArray a) {
    return a.data().asNioDouble();
  }

  /** Index of the array's first element in {@link #floats} / {@link #doubles}. */
  static int offset(INDArray a) {
    return (int) a.offset();
  }

  /** Elements the loops below copy at a time, into per-thread scratch arrays of this size. */
  private static final int CHUNK = 1 << 15;
  private static final ThreadLocal<float[][]> FLOAT_SCRATCH =
      ThreadLocal.withInitial(() -> new float[][] {new float[CHUNK], new float[CHUNK]});
  private static final ThreadLocal<double[][]> DOUBLE_SCRATCH =
      ThreadLocal.withInitial(() -> new double[][] {new double[CHUNK], new double[CHUNK]});

  /**
   * Sum of squares of all elements of a dense array, accumulated in double: copied a chunk at a
   * time into a Java array (a loop over the NIO buffer itself does not vectorize).
   */
  static double sumOfSquares(INDArray a) {
    int n = (int) a.length();
    int o = offset(a);
    double sum = 0;
    if (a.dataType() == DataType.FLOAT) {
      FloatBuffer f = floats(a);
      float[] t = FLOAT_SCRATCH.get()[0];
      for (int i = 0; i < n; i += CHUNK) {
        int len = Math.min(CHUNK, n - i);
        f.get(o + i, t, 0, len);
        sum += sumOfSquares(t, len);
      }
    } else {
      DoubleBuffer d = doubles(a);
      double[] t = DOUBLE_SCRATCH.get()[0];
      for (int i = 0; i < n; i += CHUNK) {
        int len = Math.min(CHUNK, n - i);
        d.get(o + i, t, 0, len);
        sum += sumOfSquares(t, len);
      }
    }
    // The NIO buffer does not hold the array; ND4J frees an array's memory when it is collected.
    Reference.reachabilityFence(a);
    return sum;
  }

  /**
   * {@code target[from, from + n) += sources[0][from, from + n) + sources[1][...] + ...} (added in
   * that order) over the elements (c order) of dense arrays of one type; returns the sum of squares
   * of the result's elements.
   */
  static double addRange(INDArray target, List<INDArray> sources, int from, int n) {
    int to = offset(target) + from;
    double sumSq = 0;
    if (target.dataType() == DataType.FLOAT) {
      FloatBuffer t = floats(target);
      FloatBuffer[] sb = floats(sources);
      int[] so = offsets(sources);
      float[][] scratch = FLOAT_SCRATCH.get();
      float[] a = scratch[0];
      float[] b = scratch[1];
      for (int i = 0; i < n; i += CHUNK) {
        int len = Math.min(CHUNK, n - i);
        t.get(to + i, a, 0, len);
        for (int k = 0; k < sb.length; k++) {
          addChunk(a, b, 0, len, sb[k], so[k] + from + i);
        }
        sumSq += sumOfSquares(a, len);
        t.put(to + i, a, 0, len);
      }
    } else {
      DoubleBuffer t = doubles(target);
      DoubleBuffer[] sb = doubles(sources);
      int[] so = offsets(sources);
      double[][] scratch = DOUBLE_SCRATCH.get();
      double[] a = scratch[0];
      double[] b = scratch[1];
      for (int i = 0; i < n; i += CHUNK) {
        int len = Math.min(CHUNK, n - i);
        t.get(to + i, a, 0, len);
        for (int k = 0; k < sb.length; k++) {
          addChunk(a, b, 0, len, sb[k], so[k] + from + i);
        }
        sumSq += sumOfSquares(a, len);
        t.put(to + i, a, 0, len);
      }
    }
    Reference.reachabilityFence(target);
    Reference.reachabilityFence(sources);
    return sumSq;
  }

  /** The element buffers of dense FLOAT arrays, as {@link #floats} gives each (made once per pass, not per chunk). */
  static FloatBuffer[] floats(List<INDArray> arrays) {
    FloatBuffer[] b = new FloatBuffer[arrays.size()];
    for (int k = 0; k < b.length; k++) {
      b[k] = floats(arrays.get(k));
    }
    return b;
  }

  /** The element buffers of dense DOUBLE arrays, as {@link #doubles} gives each. */
  static DoubleBuffer[] doubles(List<INDArray> arrays) {
    DoubleBuffer[] b = new DoubleBuffer[arrays.size()];
    for (int k = 0; k < b.length; k++) {
      b[k] = doubles(arrays.get(k));
    }
    return b;
  }

  /** The arrays' {@link #offset}s. */
  static int[] offsets(List<INDArray> arrays) {
    int[] o = new int[arrays.size()];
    for (int k = 0; k < o.length; k++) {
      o[k] = offset(arrays.get(k));
    }
    return o;
  }

  /**
   * {@code a[at, at + len) += source[sourceAt, sourceAt + len)}, read through {@code scratch[at, at
   * + len)}; the arrays are indexed alike so that C2 vectorizes the loop.
   */
  static void addChunk(float[] a, float[] scratch, int at, int len, FloatBuffer source, int sourceAt) {
    source.get(sourceAt, scratch, at, len);
    for (int i = at; i < at + len; i++) {
      a[i] += scratch[i];
    }
  }

  /** As {@link #addChunk(float[], float[], int, int, FloatBuffer, int)} for doubles. */
  static void addChunk(double[] a, double[] scratch, int at, int len, DoubleBuffer source, int sourceAt) {
    source.get(sourceAt, scratch, at, len);
    for (int i = at; i < at + len; i++) {
      a[i] += scratch[i];
    }
  }

  /** Sum of squares of a[0..n), in double with eight partial sums (so the loop pipelines). */
  static double sumOfSquares(float[] a, int n) {
    return sumOfSquares(a, 0, n);
  }

  /** Sum of squares of a[from..n), as {@link #sumOfSquares(float[], int)}. */
  static double sumOfSquares(float[] a, int from, int n) {
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
    int i = from;
    for (; i + 7 < n; i += 8) {
      s0 += (double) a[i] * a[i];
      s1 += (double) a[i + 1] * a[i + 1];
      s2 += (double) a[i + 2] * a[i + 2];
      s3 += (double) a[i + 3] * a[i + 3];
      s4 += (double) a[i + 4] * a[i + 4];
      s5 += (double) a[i + 5] * a[i + 5];
      s6 += (double) a[i + 6] * a[i + 6];
      s7 += (double) a[i + 7] * a[i + 7];
    }
    for (; i < n; i++) {
      s0 += (double) a[i] * a[i];
    }
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
  }

  /** As {@link #sumOfSquares(float[], int)} for doubles. */
  static double sumOfSquares(double[] a, int n) {
    return sumOfSquares(a, 0, n);
  }

  /** Sum of squares of a[from..n), as {@link #sumOfSquares(double[], int)}. */
  static double sumOfSquares(double[] a, int from, int n) {
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = from;
    for (; i + 3 < n; i += 4) {
      s0 += a[i] * a[i];
      s1 += a[i + 1] * a[i + 1];
      s2 += a[i + 2] * a[i + 2];
      s3 += a[i + 3] * a[i + 3];
    }
    for (; i < n; i++) {
      s0 += a[i] * a[i];
    }
    return (s0 + s1) + (s2 + s3);
  }
}
