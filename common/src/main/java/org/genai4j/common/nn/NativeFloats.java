package org.genai4j.common.nn;

import java.nio.FloatBuffer;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Bulk copies between FLOAT {@link INDArray}s and Java {@code float[]}, so element-wise work that
 * ND4J would spread over several op calls can run as one plain Java loop. Arrays must be
 * contiguous in C order (fresh arrays, or views of contiguous row blocks of them).
 */
public final class NativeFloats {
  private NativeFloats() {}

  /** Copies {@code a} (all of it) into {@code dst} starting at {@code dstOffset}; returns {@code dst}. */
  public static float[] read(INDArray a, float[] dst, int dstOffset) {
    int n = checked(a, dst.length - dstOffset);
    buffer(a).get(start(a), dst, dstOffset, n);
    return dst;
  }

  /** Copies {@code src[srcOffset, srcOffset + a.length())} into {@code a}. */
  public static void write(float[] src, int srcOffset, INDArray a) {
    int n = checked(a, src.length - srcOffset);
    buffer(a).put(start(a), src, srcOffset, n);
  }

  /** A new {@code float[]} with the elements of {@code a} in C order. */
  public static float[] toArray(INDArray a) {
    return read(a, new float[(int) a.length()], 0);
  }

  // A view's data() is a buffer of its own that starts at data().offset() of the original one
  // (ND4J M2.1), and addressPointer() points at that start; the view's first element is
  // offset() - data().offset() further on.
  private static FloatBuffer buffer(INDArray a) {
    return new FloatPointer(a.data().addressPointer()).capacity(start(a) + a.length()).asBuffer();
  }

  private static int start(INDArray a) {
    return (int) (a.offset() - a.data().offset());
  }

  private static int checked(INDArray a, int room) {
    if (a.dataType() != DataType.FLOAT) {
      throw new IllegalArgumentException("NativeFloats needs a FLOAT array, got " + a.dataType());
    }
    if (start(a) < 0 || start(a) + a.length() > a.data().length()
        || (a.rank() > 0 && !isContiguous(a))) {
      throw new IllegalArgumentException("NativeFloats needs a contiguous C-order array, got shape "
          + java.util.Arrays.toString(a.shape()) + " strides " + java.util.Arrays.toString(a.stride()));
    }
    if (a.length() > room) {
      throw new IllegalArgumentException("float[] too small: " + room + " left, array has " + a.length());
    }
    return (int) a.length();
  }

  private static boolean isContiguous(INDArray a) {
    long expected = 1;
    for (int d = a.rank() - 1; d >= 0; d--) {
      if (a.size(d) != 1 && a.stride(d) != expected) {
        return false;
      }
      expected *= a.size(d);
    }
    return true;
  }
}
