package org.genai4j.common.train;

import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * One batch of training data: named arrays (e.g. {@code "x"}, {@code "y"}), how many examples it
 * holds and how many throughput units (tokens for a language model, images for an image model).
 *
 * <p>{@code onRelease} hands the arrays back to their source ({@link BatchArrays}) once the
 * trainer's step is done with them; a batch nobody releases is simply collected.
 */
public record Batch(Map<String, INDArray> arrays, int examples, long units, Runnable onRelease) {

  public Batch {
    Objects.requireNonNull(arrays, "arrays");
    Objects.requireNonNull(onRelease, "onRelease");
    arrays = Map.copyOf(arrays);
  }

  /** A batch that owns its arrays (nothing to hand back). */
  public Batch(Map<String, INDArray> arrays, int examples, long units) {
    this(arrays, examples, units, () -> {});
  }

  /**
   * Hands the arrays back to the source that lent them; the batch (and its slices) must not be
   * used afterwards. The trainer calls it when a step has finished with its batches.
   */
  public void release() {
    onRelease.run();
  }

  /** A batch whose throughput unit is the example (images, vectors). */
  public static Batch of(Map<String, INDArray> arrays, int examples) {
    return new Batch(arrays, examples, examples);
  }

  /**
   * Examples {@code [from, to)} of this batch: every array's rows (its first dimension, which must
   * be {@link #examples()} long) as views, and the units in proportion. The slice does not own the
   * arrays: only this batch's {@link #release()} hands them back.
   */
  public Batch slice(int from, int to) {
    if (from < 0 || to > examples || from >= to) {
      throw new IllegalArgumentException("cannot take examples [" + from + ", " + to + ") of a batch of " + examples);
    }
    if (from == 0 && to == examples) {
      return this;
    }
    Map<String, INDArray> parts = new java.util.LinkedHashMap<>();
    for (var e : arrays.entrySet()) {
      INDArray a = e.getValue();
      if (a.rank() == 0 || a.size(0) != examples) {
        throw new IllegalArgumentException("batch array '" + e.getKey() + "' of shape "
            + java.util.Arrays.toString(a.shape()) + " does not have one row per example (" + examples
            + "), so the batch cannot be split");
      }
      INDArrayIndex[] idx = new INDArrayIndex[a.rank()];
      idx[0] = NDArrayIndex.interval(from, to);
      for (int d = 1; d < idx.length; d++) {
        idx[d] = NDArrayIndex.all();
      }
      parts.put(e.getKey(), a.get(idx));
    }
    return new Batch(parts, to - from, units * (to - from) / examples);
  }

  /** The array named {@code name}; a clear error when the batch lacks it. */
  public INDArray get(String name) {
    INDArray a = arrays.get(name);
    if (a == null) {
      throw new IllegalArgumentException("batch has no array '" + name + "'; it has " + arrays.keySet());
    }
    return a;
  }
}
