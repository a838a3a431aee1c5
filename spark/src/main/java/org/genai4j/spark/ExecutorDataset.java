package org.genai4j.spark;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.genai4j.common.train.Batch;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A training set held in an executor's memory, which turns a shard of index batches ({@link
 * IndexedBatches}) into the batch the family's own source would have made from the same indices.
 */
sealed interface ExecutorDataset {

  /** Examples (tokens of a text, images of an image set). */
  long size();

  /**
   * A hash of the content, compared with the driver's copy before training starts; {@code signed}:
   * of images as a DCGAN's batches scale them (to [-1, 1]).
   */
  int fingerprint(boolean signed);

  /** The rows or windows that {@code indices} name, as the family's batch source would give them. */
  Batch gather(Batch indices);

  /** The token ids of a text; batches are windows at the shipped offsets. */
  record Tokens(int[] tokens) implements ExecutorDataset {
    @Override
    public long size() {
      return tokens.length;
    }

    @Override
    public int fingerprint(boolean signed) {
      return Arrays.hashCode(tokens);
    }

    @Override
    public Batch gather(Batch indices) {
      int[] offsets = indices.get(IndexedBatches.WINDOW_OFFSETS).toIntVector();
      int rows = indices.examples();
      // The window length travels as units per example (TokenBatches counts one unit per token).
      int time = (int) (indices.units() / rows);
      int[] x = new int[rows * time];
      int[] y = new int[rows * time];
      for (int b = 0; b < rows; b++) {
        int s = offsets[b];
        if (s < 0 || s + time >= tokens.length) {
          throw new IllegalStateException("window offset " + s + " is outside this executor's " + tokens.length
              + " tokens");
        }
        System.arraycopy(tokens, s, x, b * time, time);
        System.arraycopy(tokens, s + 1, y, b * time, time);
      }
      return new Batch(Map.of(
          "x", Nd4j.createFromArray(x).reshape(rows, time),
          "y", Nd4j.createFromArray(y).reshape(rows, time)), rows, indices.units());
    }
  }

  /** Images [N, C, H, W] in [0, 1], kept as rows [N, C*H*W]. */
  record Images(INDArray rows, long[] imageShape) implements ExecutorDataset {
    Images(INDArray images) {
      this(images.castTo(DataType.FLOAT).reshape('c', images.size(0), images.length() / images.size(0)).dup('c'),
          Arrays.copyOfRange(images.shape(), 1, images.rank()));
    }

    @Override
    public long size() {
      return rows.size(0);
    }

    @Override
    public int fingerprint(boolean signed) {
      return Arrays.hashCode((signed ? rows.mul(2).subi(1) : rows).data().asFloat());
    }

    @Override
    public Batch gather(Batch indices) {
      Map<String, INDArray> out = new LinkedHashMap<>();
      int n = indices.examples();
      for (var e : indices.arrays().entrySet()) {
        switch (e.getKey()) {
          case IndexedBatches.IMAGE_ROWS -> out.put(IndexedBatches.VAE_INPUT, pull(e.getValue()));
          case IndexedBatches.SIGNED_IMAGE_ROWS -> {
            long[] shape = new long[imageShape.length + 1];
            shape[0] = n;
            System.arraycopy(imageShape, 0, shape, 1, imageShape.length);
            // As GanBatches scales its images: x * 2 - 1, element by element in float.
            out.put(IndexedBatches.GAN_REAL, pull(e.getValue()).muli(2).subi(1).reshape('c', shape));
          }
          default -> out.put(e.getKey(), e.getValue());
        }
      }
      return new Batch(out, n, indices.units());
    }

    private INDArray pull(INDArray rowIndices) {
      int[] idx = rowIndices.toIntVector();
      for (int i : idx) {
        if (i < 0 || i >= rows.size(0)) {
          throw new IllegalStateException("image row " + i + " is outside this executor's " + rows.size(0) + " images");
        }
      }
      return Nd4j.pullRows(rows, 1, idx);
    }
  }
}
