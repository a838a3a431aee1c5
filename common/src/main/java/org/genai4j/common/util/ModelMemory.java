package org.genai4j.common.util;

import java.util.Locale;
import org.bytedeco.javacpp.Pointer;

/**
 * Refuses a model whose training state cannot fit in memory before any of it is allocated: an
 * oversized request would otherwise end deep in native code ({@code std::bad_alloc}) or grind
 * through swap. The estimate is a lower bound (activations come on top); the limit is the smallest
 * of JavaCPP's caps on ND4J's native memory and the machine's physical memory.
 */
public final class ModelMemory {
  /** Floats a parameter occupies in training with Adam(W): its value, its gradient and two moments. */
  public static final int ADAM_FLOATS_PER_PARAMETER = 4;

  private ModelMemory() {}

  /** Bytes that {@code parameters} float parameters take in training with Adam(W), at least. */
  public static long trainingBytes(long parameters) {
    return Math.multiplyHigh(parameters, (long) ADAM_FLOATS_PER_PARAMETER * Float.BYTES) != 0
        ? Long.MAX_VALUE : parameters * ADAM_FLOATS_PER_PARAMETER * Float.BYTES;
  }

  /**
   * The most native memory ND4J may use here: JavaCPP's {@code maxBytes} (off-heap arrays,
   * {@code -Dorg.bytedeco.javacpp.maxbytes}), its {@code maxPhysicalBytes} (the whole process,
   * {@code -Dorg.bytedeco.javacpp.maxphysicalbytes}) and the machine's RAM; 0 caps count as none.
   */
  public static long limitBytes() {
    long limit = Long.MAX_VALUE;
    for (long cap : new long[] {Pointer.maxBytes(), Pointer.maxPhysicalBytes(), Pointer.totalPhysicalBytes()}) {
      if (cap > 0) {
        limit = Math.min(limit, cap);
      }
    }
    return limit;
  }

  /**
   * Throws a one-line {@link IllegalArgumentException} when training {@code what} with {@code
   * parameters} parameters needs more than {@link #limitBytes()}.
   */
  public static void checkTraining(String what, long parameters) {
    long needed = trainingBytes(parameters);
    long limit = limitBytes();
    if (needed > limit) {
      throw new IllegalArgumentException(String.format(Locale.ROOT, "%s has %,d parameters and needs at least %s to"
          + " train (%d bytes per parameter: weights, gradients, Adam's two moments); the memory limit is %s"
          + " (JavaCPP maxbytes/maxphysicalbytes or the machine's RAM)", what, parameters, bytes(needed),
          ADAM_FLOATS_PER_PARAMETER * Float.BYTES, bytes(limit)));
    }
  }

  /**
   * Throws a one-line {@link IllegalArgumentException} before parameter {@code name} of {@code
   * shape} is allocated when it brings the model to more than {@link #limitBytes()}: {@code
   * earlier} parameters exist already; {@code training} counts the gradient and Adam's moments too.
   */
  public static void checkParameter(String name, int[] shape, long earlier, boolean training) {
    double elements = 1;
    for (int d : shape) {
      elements *= d;
    }
    double total = earlier + elements;
    int perParameter = (training ? ADAM_FLOATS_PER_PARAMETER : 1) * Float.BYTES;
    double needed = total * perParameter;
    long limit = limitBytes();
    if (needed > limit) {
      throw new IllegalArgumentException(String.format(Locale.ROOT, "parameter '%s' %s brings the model to %,.0f"
          + " parameters, which need at least %s (%d bytes per parameter%s); the memory limit is %s"
          + " (JavaCPP maxbytes/maxphysicalbytes or the machine's RAM)", name, java.util.Arrays.toString(shape), total,
          bytes(needed >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) needed), perParameter,
          training ? " in training: weights, gradients, Adam's two moments" : "", bytes(limit)));
    }
  }

  /** {@code n} bytes as a short human-readable size, e.g. {@code 4.0 GB}. */
  static String bytes(long n) {
    if (n == Long.MAX_VALUE) {
      return "more than 9.2 EB";
    }
    String[] units = {"bytes", "KB", "MB", "GB", "TB", "PB", "EB"};
    double v = n;
    int u = 0;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return u == 0 ? n + " bytes" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }
}
