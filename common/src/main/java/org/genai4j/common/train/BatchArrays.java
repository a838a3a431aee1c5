package org.genai4j.common.train;

import java.util.concurrent.ConcurrentLinkedQueue;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reusable arrays of one shape for a {@link BatchSource}: it gathers each batch's rows into an
 * array taken from here, and the batch's {@link Batch#release()} hands the array back.
 *
 * <p>Why: a fresh ND4J array per batch is allocated and freed in native memory every step, and the
 * C allocator returns blocks this size (hundreds of KB) to the kernel: measured 0.1-1.5 ms per
 * 400 KB array in page faults and zeroing, against a VAE step of about 10 ms. Arrays nobody
 * releases (a batch kept by its caller) are never reused, so reuse cannot corrupt a live batch.
 */
public final class BatchArrays {

  /** More idle arrays than this are dropped (accumulation draws several batches per step). */
  private static final int MAX_IDLE = 8;

  private final DataType type;
  private final long[] shape;
  private final ConcurrentLinkedQueue<INDArray> idle = new ConcurrentLinkedQueue<>();

  public BatchArrays(DataType type, long... shape) {
    this.type = type;
    this.shape = shape.clone();
  }

  /** An array of this pool's shape (contents unspecified), from the idle ones when there is one. */
  public INDArray take() {
    INDArray a = idle.poll();
    return a != null ? a : Nd4j.createUninitialized(type, shape, 'c');
  }

  /** Rows {@code rows} of the dense [N, D] array {@code data}, gathered into an array from this pool. */
  public INDArray gatherRows(INDArray data, int[] rows) {
    if (shape.length != 2 || shape[0] != rows.length || shape[1] != data.size(1)) {
      throw new IllegalArgumentException("cannot gather " + rows.length + " rows of " + data.size(1)
          + " values into arrays of shape " + java.util.Arrays.toString(shape));
    }
    INDArray out = take();
    if (type == DataType.FLOAT && data.dataType() == DataType.FLOAT && HostArrays.isDense(data)) {
      // Row by row through a Java array: ND4J's pullRows took 0.3-0.4 ms for 128 rows of 784.
      int width = (int) shape[1];
      java.nio.FloatBuffer from = HostArrays.floats(data);
      java.nio.FloatBuffer to = HostArrays.floats(out);
      int fromOffset = HostArrays.offset(data);
      int toOffset = HostArrays.offset(out);
      float[] row = new float[width];
      for (int i = 0; i < rows.length; i++) {
        if (rows[i] < 0 || rows[i] >= data.size(0)) {
          throw new IndexOutOfBoundsException("row " + rows[i] + " of a data set of " + data.size(0));
        }
        from.get(fromOffset + rows[i] * width, row, 0, width);
        to.put(toOffset + i * width, row, 0, width);
      }
      java.lang.ref.Reference.reachabilityFence(data);
      java.lang.ref.Reference.reachabilityFence(out);
    } else {
      Nd4j.pullRows(data, out, 1, rows);
    }
    return out;
  }

  /** What a batch holding {@code a} runs on release: hands {@code a} back (once, however often it runs). */
  public Runnable giveBack(INDArray a) {
    java.util.concurrent.atomic.AtomicBoolean given = new java.util.concurrent.atomic.AtomicBoolean();
    return () -> {
      if (!given.getAndSet(true) && idle.size() < MAX_IDLE) {
        idle.add(a);
      }
    };
  }
}
