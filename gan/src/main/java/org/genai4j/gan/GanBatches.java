package org.genai4j.gan;

import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.genai4j.common.train.Batch;
import org.genai4j.common.train.BatchArrays;
import org.genai4j.common.train.BatchSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Batches for {@link Dcgan}: {@code batchSize} training images drawn at random (without repeats
 * inside a batch) and scaled from [0, 1] to the generator's [-1, 1], plus the noise z, all drawn
 * from the generator the trainer derives from the seed and the step, so a resumed run draws the
 * same batches. An epoch is {@code ceil(N / batchSize)} steps.
 */
public final class GanBatches implements BatchSource {

  private final INDArray images; // [N, C*H*W] in [-1, 1]
  private final long[] imageShape;
  private final int batchSize;
  private final int latentSize;
  private final BatchArrays realArrays;

  /**
   * @param images01 training images {@code [N, C, H, W]} in [0, 1] matching {@code config}
   */
  public GanBatches(INDArray images01, DcganConfig config, int batchSize) {
    checkImages(images01, config);
    if (batchSize < 2 || batchSize > images01.size(0)) {
      throw new IllegalArgumentException("batch size must be in [2, " + images01.size(0)
          + "] (batch norm needs 2 or more images; the data set has " + images01.size(0) + "), got " + batchSize);
    }
    long n = images01.size(0);
    this.images = images01.castTo(DataType.FLOAT).reshape('c', n, config.pixels()).mul(2).subi(1);
    this.imageShape = new long[] {batchSize, config.channels(), config.imageSize(), config.imageSize()};
    this.realArrays = new BatchArrays(DataType.FLOAT, batchSize, config.pixels());
    this.batchSize = batchSize;
    this.latentSize = config.latentSize();
  }

  /** Checks that {@code images01} is {@code [N, C, H, W]} as the config says, with values in [0, 1]. */
  static void checkImages(INDArray images01, DcganConfig config) {
    long[] want = {config.channels(), config.imageSize(), config.imageSize()};
    if (images01 == null || images01.rank() != 4
        || !Arrays.equals(Arrays.copyOfRange(images01.shape(), 1, 4), want)) {
      throw new IllegalArgumentException("training images must have shape [N, " + want[0] + ", " + want[1] + ", "
          + want[2] + "] for this DcganConfig, got "
          + (images01 == null ? "null" : Arrays.toString(images01.shape())));
    }
    double min = images01.minNumber().doubleValue();
    double max = images01.maxNumber().doubleValue();
    if (min < -1e-6 || max > 1 + 1e-6) {
      throw new IllegalArgumentException("training images must be scaled to [0, 1], got values in [" + min + ", " + max + "]");
    }
  }

  @Override
  public long stepsPerEpoch() {
    return (images.size(0) + batchSize - 1) / batchSize;
  }

  public int batchSize() {
    return batchSize;
  }

  /** A hash of the images' values (as scaled here), to check that another copy (a cluster executor's) is this one. */
  public int fingerprint() {
    return Arrays.hashCode(images.dup('c').data().asFloat());
  }

  /** Number of training images. */
  public long size() {
    return images.size(0);
  }

  /**
   * The training-image rows of the next batch (distinct), drawn from {@code rng} as {@link #next}
   * draws them before its noise (a cluster's driver draws these and ships them instead of the images).
   */
  public int[] rows(Random rng) {
    int n = (int) images.size(0);
    int[] idx = new int[batchSize];
    // Partial Fisher-Yates over a lazily materialized permutation: distinct indices, O(batch).
    java.util.HashMap<Integer, Integer> swapped = new java.util.HashMap<>();
    for (int i = 0; i < batchSize; i++) {
      int j = i + rng.nextInt(n - i);
      int vi = swapped.getOrDefault(i, i);
      int vj = swapped.getOrDefault(j, j);
      swapped.put(j, vi);
      idx[i] = vj;
    }
    return idx;
  }

  /** The next batch's noise z {@code [batch, latent]}, drawn from {@code rng} after its {@link #rows}. */
  public INDArray noise(Random rng) {
    float[] noise = new float[batchSize * latentSize];
    for (int i = 0; i < noise.length; i++) {
      noise[i] = (float) rng.nextGaussian();
    }
    return Nd4j.create(noise, new long[] {batchSize, latentSize}, 'c');
  }

  @Override
  public Batch next(Random rng) {
    int[] idx = rows(rng);
    INDArray rows = realArrays.gatherRows(images, idx);
    INDArray z = noise(rng);
    return new Batch(Map.of(Dcgan.REAL, rows.reshape('c', imageShape), Dcgan.Z, z), batchSize, batchSize,
        realArrays.giveBack(rows));
  }
}
