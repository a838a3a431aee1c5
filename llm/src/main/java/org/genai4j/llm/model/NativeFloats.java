package org.genai4j.llm.model;

import java.nio.FloatBuffer;
import org.bytedeco.javacpp.FloatPointer;
import org.genai4j.common.nn.Sgemm;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A FLOAT array in native memory seen three ways: the {@link INDArray} that owns the memory, a
 * pointer for BLAS ({@link Sgemm}) and a {@link FloatBuffer} for Java loops. Java loops copy a row
 * at a time into a {@code float[]} (bulk copies are memcpy-fast, and loops over arrays vectorize,
 * loops over a direct buffer do not).
 */
final class NativeFloats {
  final INDArray array;
  final FloatPointer ptr;
  final FloatBuffer buf;

  private NativeFloats(INDArray array) {
    this.array = array;
    this.ptr = Sgemm.pointer(array);
    this.buf = ptr.asBuffer();
  }

  /** A new zero-filled array. */
  static NativeFloats zeros(long... shape) {
    return new NativeFloats(Nd4j.create(DataType.FLOAT, shape));
  }

  /** A view of an existing array (e.g. a live parameter of the SameDiff graph), no copy. */
  static NativeFloats wrap(INDArray array) {
    return new NativeFloats(array);
  }

  /** Copies {@code len} floats starting at {@code off} into {@code dst}. */
  float[] get(int off, float[] dst, int len) {
    buf.get(off, dst, 0, len);
    return dst;
  }

  void put(int off, float[] src, int len) {
    buf.put(off, src, 0, len);
  }

  /** All elements as a new heap array. */
  float[] toArray() {
    float[] a = new float[buf.capacity()];
    buf.get(0, a);
    return a;
  }

  void fill(float v) {
    array.assign(v);
  }
}
