package org.genai4j.common.ops;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A dense, row-major FLOAT array in native memory: the buffer every op reads and writes. The
 * memory belongs to a one-dimensional ND4J array (so ND4J's own kernels, such as oneDNN's
 * convolutions, can run on it through {@link #array()}), BLAS reads it through a pointer
 * ({@link Blas}), and Java loops copy runs of it to and from {@code float[]} with {@link #read}
 * and {@link #write}: bulk copies are as fast as memcpy, and loops over Java arrays vectorize
 * where loops over native buffers do not.
 *
 * <p>A tensor may be a view of part of another one (a block of rows, another shape over the same
 * elements); views share memory. The shape is fixed; {@link #ensure} gives an op a buffer of the
 * shape it needs now, reusing the memory it had when that is large enough.
 */
public final class Tensor {

  private final INDArray owner;
  private final FloatPointer base;
  private final FloatBuffer buffer;
  private final int offset;
  private final int[] shape;
  private final int length;
  private INDArray array;
  /** The last matrix view {@link #matrix} made, and the offset it starts at. */
  private INDArray matrix;
  private int matrixOffset;

  private Tensor(INDArray owner, FloatPointer base, FloatBuffer buffer, int offset, int[] shape) {
    this.owner = owner;
    this.base = base;
    this.buffer = buffer;
    this.offset = offset;
    this.shape = shape.clone();
    this.length = checkedLength(shape);
  }

  /** A new tensor of zeros. */
  public static Tensor zeros(int... shape) {
    int n = checkedLength(shape);
    // ND4J cannot allocate an empty buffer; a zero-length tensor gets one unused element.
    INDArray owner = Nd4j.create(DataType.FLOAT, Math.max(1, n));
    FloatPointer p = new FloatPointer(owner.data().addressPointer()).capacity(Math.max(1, n));
    return new Tensor(owner, p, p.asBuffer(), 0, shape);
  }

  /** A new tensor holding a copy of {@code data}, whose length must match {@code shape}. */
  public static Tensor of(float[] data, int... shape) {
    Tensor t = zeros(shape);
    if (data.length != t.length) {
      throw new IllegalArgumentException("tensor of shape " + Arrays.toString(shape) + " needs " + t.length
          + " values, got " + data.length);
    }
    t.write(0, data, 0, data.length);
    return t;
  }

  /** A new FLOAT tensor with the values and shape of {@code a} (any data type and order). */
  public static Tensor copyOf(INDArray a) {
    int[] shape = new int[a.rank()];
    for (int d = 0; d < shape.length; d++) {
      shape[d] = Math.toIntExact(a.size(d));
    }
    Tensor t = zeros(shape);
    if (t.length > 0) {
      t.array().assign(a.dataType() == DataType.FLOAT ? a : a.castTo(DataType.FLOAT));
    }
    return t;
  }

  /** Returns {@code t} when it has {@code shape}, else a tensor of that shape over its memory if it is large enough, else a new one. */
  public static Tensor ensure(Tensor t, int... shape) {
    int n = checkedLength(shape);
    if (t != null && Arrays.equals(t.shape, shape)) {
      return t;
    }
    if (t != null && t.offset == 0 && t.capacity() >= n) {
      return new Tensor(t.owner, t.base, t.buffer, 0, shape);
    }
    return zeros(shape);
  }

  // ---- shape ----

  public int[] shape() {
    return shape.clone();
  }

  public int rank() {
    return shape.length;
  }

  /** The size of dimension {@code d}. */
  public int dim(int d) {
    return shape[d];
  }

  public int length() {
    return length;
  }

  /** The size of the first dimension (rows of a matrix, examples of a batch). */
  public int rows() {
    return shape.length == 0 ? 1 : shape[0];
  }

  /** Elements per row: the length divided by {@link #rows()}. */
  public int rowLength() {
    return rows() == 0 ? 0 : length / rows();
  }

  /**
   * The number of rows of {@code width} elements, when the last dimension is {@code width}; else a
   * one-line error saying that {@code what} (an op, e.g. "linear 'fc.weight'") takes such rows.
   */
  public int rowsOfWidth(int width, String what) {
    if (shape.length == 0 || shape[shape.length - 1] != width) {
      throw new IllegalArgumentException(what + " takes rows of " + width + ", got " + this);
    }
    return length / width;
  }

  /** True when {@code other} has the same shape. */
  public boolean sameShape(Tensor other) {
    return Arrays.equals(shape, other.shape);
  }

  /** The same elements with another shape of the same length (a view: no copy). */
  public Tensor reshape(int... newShape) {
    if (checkedLength(newShape) != length) {
      throw new IllegalArgumentException("cannot reshape " + Arrays.toString(shape) + " to " + Arrays.toString(newShape));
    }
    return new Tensor(owner, base, buffer, offset, newShape);
  }

  /** Rows {@code [from, to)} of the first dimension (a view: no copy). */
  public Tensor rowRange(int from, int to) {
    if (from < 0 || to > rows() || from > to) {
      throw new IllegalArgumentException("rows [" + from + ", " + to + ") outside a tensor of shape " + Arrays.toString(shape));
    }
    int[] s = shape.clone();
    s[0] = to - from;
    return new Tensor(owner, base, buffer, offset + from * rowLength(), s);
  }

  // ---- element access ----

  public float get(int i) {
    return buffer.get(offset + checkIndex(i));
  }

  public void set(int i, float v) {
    buffer.put(offset + checkIndex(i), v);
  }

  /** Copies {@code len} elements starting at element {@code from} into {@code dst[dstOffset..]}. */
  public void read(int from, float[] dst, int dstOffset, int len) {
    checkRange(from, len);
    buffer.get(offset + from, dst, dstOffset, len);
  }

  /** Copies {@code src[srcOffset, srcOffset + len)} into the elements starting at {@code to}. */
  public void write(int to, float[] src, int srcOffset, int len) {
    checkRange(to, len);
    buffer.put(offset + to, src, srcOffset, len);
  }

  /** All elements, in row-major order, as a new Java array. */
  public float[] toArray() {
    float[] a = new float[length];
    read(0, a, 0, length);
    return a;
  }

  /** All elements widened to double. */
  public double[] toDoubles() {
    float[] f = toArray();
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  /** Sets every element to {@code v}. */
  public void fill(float v) {
    if (v == 0f) {
      zero();
      return;
    }
    float[] chunk = new float[Math.min(length, 1 << 14)];
    Arrays.fill(chunk, v);
    for (int i = 0; i < length; i += chunk.length) {
      write(i, chunk, 0, Math.min(chunk.length, length - i));
    }
  }

  /** Sets every element to 0 (a memset). */
  public void zero() {
    if (length > 0) {
      Pointer.memset(bytes(), 0, (long) length * Float.BYTES);
    }
  }

  /** Copies {@code src} (same length) into this tensor. */
  public void copyFrom(Tensor src) {
    checkSameLength(src);
    if (length > 0) {
      Pointer.memcpy(bytes(), src.bytes(), (long) length * Float.BYTES);
    }
  }

  /** Copies the values of {@code a} (same length, any data type and order, e.g. a batch's array) into this tensor. */
  public void copyFrom(INDArray a) {
    if (a.length() != length) {
      throw new IllegalArgumentException("array of shape " + Arrays.toString(a.shape()) + " does not fit tensor "
          + Arrays.toString(shape));
    }
    if (length > 0) {
      INDArray src = a.dataType() == DataType.FLOAT ? a : a.castTo(DataType.FLOAT);
      array().assign(src.reshape('c', array().shape()));
    }
  }

  /** A new tensor with a copy of these elements and this shape. */
  public Tensor copy() {
    Tensor t = zeros(shape);
    t.copyFrom(this);
    return t;
  }

  /** {@code this += alpha * x} (same length), in BLAS. */
  public void addScaled(float alpha, Tensor x) {
    checkSameLength(x);
    Blas.axpy(length, alpha, x, this);
  }

  /** {@code this += x} (same length), in BLAS. */
  public void add(Tensor x) {
    addScaled(1f, x);
  }

  /** {@code this *= alpha}, in BLAS. */
  public void scale(float alpha) {
    Blas.scal(length, alpha, this);
  }

  // ---- native views ----

  /**
   * An ND4J array with this shape over the same memory (created once, then cached), for ND4J ops,
   * optimizers and checkpoints. Writes through it change this tensor.
   */
  public INDArray array() {
    if (array == null) {
      long[] s = new long[shape.length];
      long[] stride = new long[shape.length];
      long st = 1;
      for (int d = shape.length - 1; d >= 0; d--) {
        s[d] = shape[d];
        stride[d] = st;
        st *= shape[d];
      }
      array = offset == 0 && shape.length > 0 && length == owner.length()
          ? owner.reshape('c', s)
          : Nd4j.create(owner.data(), s, stride, offset, 'c');
    }
    return array;
  }

  /**
   * An ND4J {@code [rows, cols]} c-order matrix over this tensor's elements {@code [off, off + rows
   * cols)}, for libnd4j ops that take whole matrices ({@link Blas}' oneDNN products). Each call site
   * asks for the same view every step, so the last one is kept.
   */
  INDArray matrix(int off, int rows, int cols) {
    if (matrix == null || off != matrixOffset || matrix.size(0) != rows || matrix.size(1) != cols) {
      if (off < 0 || (long) off + (long) rows * cols > length) {
        throw new IllegalArgumentException("a " + rows + " x " + cols + " matrix at " + off + " lies outside " + this);
      }
      matrix = Nd4j.create(owner.data(), new long[] {rows, cols}, new long[] {cols, 1}, offset + off, 'c');
      matrixOffset = off;
    }
    return matrix;
  }

  /**
   * A byte pointer to this tensor's first element, for {@code Pointer.memcpy} and {@code memset}:
   * they take a pointer's position in bytes whatever its type, so a float pointer positioned at a
   * view's offset would address the wrong memory.
   */
  private Pointer bytes() {
    BytePointer p = new BytePointer(base);
    p.capacity(base.capacity() * (long) Float.BYTES);
    return p.position((base.position() + offset) * (long) Float.BYTES);
  }

  /** The pointer to the start of the owning memory, and this tensor's element offset into it ({@link Blas}). */
  FloatPointer basePointer() {
    return base;
  }

  int offset() {
    return offset;
  }

  private int capacity() {
    return (int) owner.length();
  }

  @Override
  public String toString() {
    return "Tensor" + Arrays.toString(shape);
  }

  private int checkIndex(int i) {
    if (i < 0 || i >= length) {
      throw new IndexOutOfBoundsException("index " + i + " outside a tensor of shape " + Arrays.toString(shape));
    }
    return i;
  }

  private void checkRange(int from, int len) {
    if (from < 0 || len < 0 || from + len > length) {
      throw new IndexOutOfBoundsException("elements [" + from + ", " + (from + len) + ") outside a tensor of shape "
          + Arrays.toString(shape));
    }
  }

  private void checkSameLength(Tensor other) {
    if (other.length != length) {
      throw new IllegalArgumentException("tensor of shape " + Arrays.toString(other.shape) + " does not fit "
          + Arrays.toString(shape));
    }
  }

  private static int checkedLength(int[] shape) {
    long n = 1;
    for (int s : shape) {
      if (s < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
      }
      n *= s;
      if (n > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("tensor of shape " + Arrays.toString(shape) + " has more than 2^31 elements");
      }
    }
    return (int) n;
  }
}
