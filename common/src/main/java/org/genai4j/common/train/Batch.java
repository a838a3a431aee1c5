package org.genai4j.common.train;

import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One batch of training data: named arrays (e.g. {@code "x"}, {@code "y"}), how many examples it
 * holds and how many throughput units (tokens for a language model, images for an image model).
 */
public record Batch(Map<String, INDArray> arrays, int examples, long units) {

  public Batch {
    Objects.requireNonNull(arrays, "arrays");
    arrays = Map.copyOf(arrays);
  }

  /** A batch whose throughput unit is the example (images, vectors). */
  public static Batch of(Map<String, INDArray> arrays, int examples) {
    return new Batch(arrays, examples, examples);
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
