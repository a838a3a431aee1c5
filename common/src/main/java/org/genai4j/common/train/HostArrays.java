package org.genai4j.common.train;

import java.lang.ref.Reference;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Direct Java access to the memory of dense CPU arrays, for loops that touch each element once
 * (Adam, sums of squares): one pass in Java beats a chain of ND4J ops, each of which reads and
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

  /** Sum of squares of all elements, accumulated in double (four partial sums for speed). */
  static double sumOfSquares(INDArray a) {
    int n = (int) a.length();
    int o = offset(a);
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int i = 0;
    if (a.dataType() == DataType.FLOAT) {
      FloatBuffer f = floats(a);
      for (; i + 3 < n; i += 4) {
        double x0 = f.get(o + i);
        double x1 = f.get(o + i + 1);
        double x2 = f.get(o + i + 2);
        double x3 = f.get(o + i + 3);
        s0 += x0 * x0;
        s1 += x1 * x1;
        s2 += x2 * x2;
        s3 += x3 * x3;
      }
      for (; i < n; i++) {
        double x = f.get(o + i);
        s0 += x * x;
      }
    } else {
      DoubleBuffer d = doubles(a);
      for (; i + 3 < n; i += 4) {
        double x0 = d.get(o + i);
        double x1 = d.get(o + i + 1);
        double x2 = d.get(o + i + 2);
        double x3 = d.get(o + i + 3);
        s0 += x0 * x0;
        s1 += x1 * x1;
        s2 += x2 * x2;
        s3 += x3 * x3;
      }
      for (; i < n; i++) {
        double x = d.get(o + i);
        s0 += x * x;
      }
    }
    // The NIO buffer does not hold the array; ND4J frees an array's memory when it is collected.
    Reference.reachabilityFence(a);
    return (s0 + s1) + (s2 + s3);
  }
}
