package org.genai4j.vae;

import java.lang.ref.Reference;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A Java copy of a dense FLOAT or DOUBLE array, for the MLP kernel's fused elementwise loops: one
 * bulk copy in, one loop over a plain {@code double[]} (which the JIT can vectorize), one bulk
 * copy out replaces a chain of ND4J ops that each cost a native call and a full pass. Arithmetic
 * is in double for both types. One mirror serves every array of its length; {@link #values}
 * holds what the last {@link #load} read or the last {@link #store} wrote.
 */
final class HostMirror {

  final double[] values;
  private final float[] floats;

  HostMirror(long length) {
    values = new double[Math.toIntExact(length)];
    floats = new float[values.length];
  }

  /** True when the array's elements lie contiguously in c order and are FLOAT or DOUBLE. */
  static boolean isDense(INDArray a) {
    DataType t = a.dataType();
    return (t == DataType.FLOAT || t == DataType.DOUBLE)
        && a.length() < Integer.MAX_VALUE
        && (a.length() <= 1 || (a.elementWiseStride() == 1 && (a.ordering() == 'c' || a.isVector())));
  }

  /** Copies dense array {@code a} (of this mirror's length) into {@link #values} and returns them. */
  double[] load(INDArray a) {
    check(a);
    int o = (int) a.offset();
    if (a.dataType() == DataType.FLOAT) {
      a.data().asNioFloat().get(o, floats, 0, floats.length);
      for (int i = 0; i < floats.length; i++) {
        values[i] = floats[i];
      }
    } else {
      a.data().asNioDouble().get(o, values, 0, values.length);
    }
    // The NIO buffer does not hold the array; ND4J frees an array's memory when it is collected.
    Reference.reachabilityFence(a);
    return values;
  }

  /** Copies {@link #values} into dense array {@code a}. */
  void store(INDArray a) {
    check(a);
    int o = (int) a.offset();
    if (a.dataType() == DataType.FLOAT) {
      for (int i = 0; i < floats.length; i++) {
        floats[i] = (float) values[i];
      }
      a.data().asNioFloat().put(o, floats, 0, floats.length);
    } else {
      a.data().asNioDouble().put(o, values, 0, values.length);
    }
    Reference.reachabilityFence(a);
  }

  private void check(INDArray a) {
    if (!isDense(a) || a.length() != values.length) {
      throw new IllegalArgumentException("need a dense c-ordered FLOAT or DOUBLE array of length " + values.length
          + ", got " + a.dataType() + " " + java.util.Arrays.toString(a.shape()) + " order " + a.ordering());
    }
  }
}
