package org.genai4j.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.api.java.JavaSparkContext;
import org.genai4j.common.train.Batch;
import org.genai4j.common.train.BatchSource;
import org.genai4j.gan.Dcgan;
import org.genai4j.gan.GanBatches;
import org.genai4j.llm.train.TokenBatches;
import org.genai4j.vae.EpochBatches;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The driver's side of training on data the executors hold ({@link SparkData}): stands in for a
 * family's batch source and draws the same examples with the same generator, but as indices
 * (window offsets of a GPT's text, image rows of a VAE or DCGAN, plus the DCGAN's noise), which the
 * trainer splits into shards as it splits any batch; each task then gathers its shard's rows from
 * its JVM's copy ({@link ExecutorDataset#gather}). Before the first step, one Spark job reads the
 * data on the executors and checks it against the driver's copy (size and a hash of the content),
 * so a wrong or unreadable path stops the run with one line.
 */
final class IndexedBatches implements BatchSource {
  /** Start offsets of a GPT batch's windows, INT [batch]. */
  static final String WINDOW_OFFSETS = "spark.window_offsets";
  /** Image rows of a VAE batch, INT [batch]. */
  static final String IMAGE_ROWS = "spark.image_rows";
  /** Image rows of a DCGAN batch (scaled to [-1, 1] when gathered), INT [batch]. */
  static final String SIGNED_IMAGE_ROWS = "spark.signed_image_rows";
  /** What a VAE batch calls its images. */
  static final String VAE_INPUT = "x";
  /** What a DCGAN batch calls its real images. */
  static final String GAN_REAL = Dcgan.REAL;

  private final BatchSource family;

  private IndexedBatches(BatchSource family) {
    this.family = family;
  }

  /**
   * The index-drawing stand-in for {@code family} (TokenBatches, VAE EpochBatches or GanBatches),
   * after checking on the executors that {@code data} is the same data set.
   */
  static BatchSource of(BatchSource family, SparkData data, JavaSparkContext spark, int partitions) {
    long size;
    int fingerprint;
    if (family instanceof TokenBatches t) {
      size = t.length();
      fingerprint = t.fingerprint();
    } else if (family instanceof EpochBatches e) {
      size = e.size();
      fingerprint = e.fingerprint();
    } else if (family instanceof GanBatches g) {
      size = g.size();
      fingerprint = g.fingerprint();
    } else {
      throw new IllegalArgumentException("training on data read by the Spark executors (" + data.uri()
          + ") takes a GPT's, VAE's or DCGAN's batches, not " + family.getClass().getSimpleName());
    }
    check(data, spark, partitions, size, fingerprint, family instanceof GanBatches);
    return new IndexedBatches(family);
  }

  /** Reads the data on the executors (filling their caches) and compares it with the driver's copy. */
  private static void check(SparkData data, JavaSparkContext spark, int partitions, long size, int fingerprint,
      boolean signed) {
    HadoopFiles.length(data.uri()); // a missing path is one line from here, before any task runs
    List<Integer> slots = new ArrayList<>();
    for (int i = 0; i < partitions; i++) {
      slots.add(i);
    }
    List<long[]> seen;
    try {
      spark.setJobDescription("read " + data.uri() + " on the executors");
      seen = spark.parallelize(slots, partitions).map(i -> {
        ExecutorDataset d = ExecutorDatasets.get(data);
        return new long[] {d.size(), d.fingerprint(signed)};
      }).collect();
    } catch (Exception e) { // SparkException is checked in Java's eyes, though Scala throws it undeclared
      throw new IllegalArgumentException(rootMessage(e));
    }
    for (long[] s : seen) {
      if (s[0] != size || (int) s[1] != fingerprint) {
        throw new IllegalArgumentException("data path " + data.uri() + " as the executors read it ("
            + s[0] + " examples) is not the driver's training data (" + size + " examples"
            + (s[0] == size ? ", different content" : "") + ")");
      }
    }
  }

  /**
   * What went wrong on the executor, without Spark's wrapping: the innermost cause whose message
   * names the data path, else the innermost cause.
   */
  private static String rootMessage(Throwable e) {
    Throwable naming = null;
    Throwable t = e;
    while (true) {
      String m = String.valueOf(t.getMessage());
      if (m.startsWith("data path ") || m.startsWith("cannot read data path ")) {
        naming = t;
      }
      if (t.getCause() == null || t.getCause() == t) {
        break;
      }
      t = t.getCause();
    }
    return HadoopFiles.firstLine(naming != null ? naming : t);
  }

  @Override
  public Batch next(Random rng) {
    if (family instanceof TokenBatches t) {
      int[] offsets = t.offsets(rng);
      return new Batch(Map.of(WINDOW_OFFSETS, Nd4j.createFromArray(offsets)), offsets.length,
          (long) offsets.length * t.time());
    }
    if (family instanceof EpochBatches e) {
      int[] rows = e.nextRows();
      return Batch.of(Map.of(IMAGE_ROWS, Nd4j.createFromArray(rows)), rows.length);
    }
    GanBatches g = (GanBatches) family;
    int[] rows = g.rows(rng);
    return Batch.of(Map.of(SIGNED_IMAGE_ROWS, Nd4j.createFromArray(rows), Dcgan.Z, g.noise(rng)), rows.length);
  }

  @Override
  public long stepsPerEpoch() {
    return family.stepsPerEpoch();
  }
}
