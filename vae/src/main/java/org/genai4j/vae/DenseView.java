package org.genai4j.vae;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Element access from Java to a dense, c-ordered FLOAT or DOUBLE array's native memory (no copy),
 * for the MLP kernel's fused elementwise loops: one Java pass replaces a chain of ND4J ops that
 * each cost a native call and a full read and write of the array. Arithmetic is done in double.
 *
 * <p>The view holds its array: the NIO buffer does not, and ND4J frees an array's memory when the
 * array is garbage-collected, so a view must never outlive the array it reads.
 */
abstract class DenseView {

  final int length;
  /** Keeps the array, and so its native memory, alive as long as the view. */
  private final INDArray array;

  private DenseView(INDArray array) {
    this.array = array;
    this.length = (int) array.length();
  }

  /** The viewed array. */
  INDArray array() {
    return array;
  }

  /** A view of {@code a}; {@code a} must be dense (see {@link #isDense}). */
  static DenseView of(INDArray a) {
    if (!isDense(a)) {
      throw new IllegalArgumentException("need a dense c-ordered FLOAT or DOUBLE array, got " + a.dataType()
          + " " + java.util.Arrays.toString(a.shape()) + " order " + a.ordering() + " ews " + a.elementWiseStride());
    }
    int offset = (int) a.offset();
    return a.dataType() == DataType.FLOAT
        ? new Floats(a, a.data().asNioFloat(), offset)
        : new Doubles(a, a.data().asNioDouble(), offset);
  }

  /** True when the array's elements lie contiguously in c order and are FLOAT or DOUBLE. */
  static boolean isDense(INDArray a) {
    DataType t = a.dataType();
    return (t == DataType.FLOAT || t == DataType.DOUBLE)
        && a.length() < Integer.MAX_VALUE
        && (a.length() <= 1 || (a.elementWiseStride() == 1 && (a.ordering() == 'c' || a.isVector())));
  }

  abstract double get(int i);

  abstract void set(int i, double v);

  private static final class Floats extends DenseView {
    private final FloatBuffer b;
    private final int o;

    Floats(INDArray a, FloatBuffer b, int o) {
      super(a);
      this.b = b;
      this.o = o;
    }

    @Override
    double get(int i) {
      return b.get(o + i);
    }

    @Override
    void set(int i, double v) {
      b.put(o + i, (float) v);
    }
  }

  private static final class Doubles extends DenseView {
    private final DoubleBuffer b;
    private final int o;

    Doubles(INDArray a, DoubleBuffer b, int o) {
      super(a);
      this.b = b;
      this.o = o;
    }

    @Override
    double get(int i) {
      return b.get(o + i);
    }

    @Override
    void set(int i, double v) {
      b.put(o + i, v);
    }
  }
}
