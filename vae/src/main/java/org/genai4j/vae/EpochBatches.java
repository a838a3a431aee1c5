package org.genai4j.vae;

import java.util.Random;
import org.genai4j.common.train.Batch;
import org.genai4j.common.train.BatchArrays;
import org.genai4j.common.train.BatchSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Shuffled mini-batches in epochs, as a PyTorch DataLoader with {@code shuffle=True}: every
 * epoch visits each image once in an order drawn from (seed, epoch); the last batch of an epoch
 * may be smaller. The position is a step count, so a resumed run sets it to the trainer's step
 * and draws exactly the batches the uninterrupted run would have.
 */
public final class EpochBatches implements BatchSource {

  private final INDArray data;
  private final int batchSize;
  private final long seed;
  private final int n;
  private final int stepsPerEpoch;
  private long position;
  private long permEpoch = -1;
  private int[] perm;
  private long served;
  private final BatchArrays arrays;

  /** @param data flattened images [N, D], c-ordered */
  EpochBatches(INDArray data, int batchSize, long seed) {
    this.data = data;
    this.batchSize = batchSize;
    this.seed = seed;
    this.n = (int) data.size(0);
    this.stepsPerEpoch = (n + batchSize - 1) / batchSize;
    this.arrays = new BatchArrays(data.dataType(), batchSize, data.size(1));
  }

  @Override
  public long stepsPerEpoch() {
    return stepsPerEpoch;
  }

  /** Images handed out so far by this instance. */
  long served() {
    return served;
  }

  void seek(long step) {
    this.position = step;
  }

  /** A hash of the images' values, to check that another copy (a cluster executor's) is this one. */
  public int fingerprint() {
    return java.util.Arrays.hashCode(data.data().asFloat());
  }

  /** Images in the data set. */
  public int size() {
    return n;
  }

  @Override
  public Batch next(Random ignored) {
    int[] rows = nextRows();
    if (rows.length < batchSize) {
      // An epoch's last, smaller batch: rare, so a fresh array.
      return Batch.of(java.util.Map.of("x", Nd4j.pullRows(data, 1, rows)), rows.length);
    }
    INDArray x = arrays.gatherRows(data, rows);
    return new Batch(java.util.Map.of("x", x), rows.length, rows.length, arrays.giveBack(x));
  }

  /**
   * The data-set rows of the next batch, as {@link #next} takes them (and advancing the position as
   * it does): a cluster's driver draws these and ships them instead of the images.
   */
  public int[] nextRows() {
    long epoch = position / stepsPerEpoch;
    int index = (int) (position % stepsPerEpoch);
    position++;
    if (epoch != permEpoch) {
      perm = permutation(n, new Random(seed * 0x9E3779B97F4A7C15L + epoch));
      permEpoch = epoch;
    }
    int from = index * batchSize;
    int to = Math.min(n, from + batchSize);
    served += to - from;
    return java.util.Arrays.copyOfRange(perm, from, to);
  }

  private static int[] permutation(int n, Random rng) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}
