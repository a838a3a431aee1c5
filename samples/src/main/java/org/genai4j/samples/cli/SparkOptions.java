package org.genai4j.samples.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.apache.spark.api.java.JavaSparkContext;
import org.genai4j.common.train.TrainingListener;
import org.genai4j.common.util.FileTrees;
import org.genai4j.datasets.DatasetSpec;
import org.genai4j.spark.HadoopFiles;
import org.genai4j.spark.SparkContexts;
import org.genai4j.spark.SparkData;
import org.genai4j.spark.SparkTrainer;
import picocli.CommandLine.Option;

/**
 * {@code --spark-master} and {@code --partitions}: train on Apache Spark instead of this process's
 * threads ({@link SparkTrainer}); the run folder, checkpoints and {@code --resume} stay on this
 * machine (the driver).
 */
public final class SparkOptions {

  @Option(names = "--spark-master", paramLabel = "URL",
      description = "Train on Apache Spark: local[N] or spark://HOST:PORT (under spark-submit, its --master is used"
          + " without this flag). Each step's batch is split over --partitions tasks; the result equals training"
          + " here with the same batch.")
  String master;

  @Option(names = "--partitions", paramLabel = "N",
      description = "Spark tasks per step, at most the cluster's cores (they run together); default: N of local[N],"
          + " else the cluster's default parallelism.")
  Integer partitions;

  @Option(names = "--averaging-every", paramLabel = "K", defaultValue = "0",
      description = "With --spark-master: 0 (default) trains synchronously, equal to local training; K > 0 lets each"
          + " partition take K local steps on its part of the batches, then averages parameters and optimizer state"
          + " (one Spark job per K steps instead of per step).")
  int averagingEvery;

  /** True when training goes to Spark: a master was given, or the JVM runs under spark-submit. */
  boolean enabled() {
    return master != null || System.getProperty("spark.master") != null;
  }

  /** The context started early, to read --data-path with the application's Hadoop settings. */
  private JavaSparkContext context;
  /** Where the driver's copies of --data-path's files are, deleted after training. */
  private Path copies;
  /** The file the executors read themselves; null: each step's examples travel from the driver. */
  private String executorFile;
  private boolean executorImages;

  /**
   * With Spark and {@code --data-path}: starts Spark, copies the dataset's files from the path (any
   * Hadoop URI, or a plain path) for this process, which then reads them as usual, and notes the file
   * the executors read themselves (the text, or an IDX set's training images). Without either, nothing.
   */
  void readOnExecutors(String appName, DataOptions data, boolean images) {
    if (!enabled() || data.path == null) {
      return;
    }
    DatasetSpec spec = data.spec(images ? DatasetSpec.Kind.IMAGES : DatasetSpec.Kind.TEXT);
    if (images && !spec.requiredFiles().contains(IDX_TRAIN_IMAGES)) {
      throw new IllegalArgumentException("--data-path with --spark-master reads IDX image datasets (files "
          + IDX_TRAIN_IMAGES + ", ...); " + data.name + " is not one");
    }
    context = SparkContexts.start(master, appName);
    try {
      copyForDriver(data, spec, images);
    } catch (RuntimeException e) {
      release();
      throw e;
    }
  }

  /** Copies --data-path's files into a temporary folder that {@code data} then reads. */
  private void copyForDriver(DataOptions data, DatasetSpec spec, boolean images) {
    String trainFile = images ? IDX_TRAIN_IMAGES : spec.requiredFiles().get(0);
    // A plain path means this machine's file (absolute, as executors run elsewhere), not Hadoop's default FS.
    String given = DataOptions.isUri(data.path) ? data.path : Path.of(data.path).toAbsolutePath().toUri().toString();
    String base = given.endsWith("/") ? given.substring(0, given.length() - 1) : given;
    // A text's path may be the file itself; an image set's is the folder of its files.
    boolean folder = images || HadoopFiles.isFolder(base);
    try {
      copies = Files.createTempDirectory("genai4j-data");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot make a temporary folder for --data-path: " + e.getMessage(), e);
    }
    String executorName = trainFile;
    for (String f : images ? spec.requiredFiles() : List.of(trainFile)) {
      String name = f;
      if (folder && f.endsWith(".gz") && !HadoopFiles.exists(base + "/" + f)
          && HadoopFiles.exists(base + "/" + f.substring(0, f.length() - 3))) {
        name = f.substring(0, f.length() - 3); // the decompressed file, as the registry also accepts
      }
      String uri = folder ? base + "/" + name : base;
      Path copy = HadoopFiles.copyToLocal(uri, copies);
      if (!copy.getFileName().toString().equals(name)) {
        try {
          Files.move(copy, copies.resolve(name));
        } catch (IOException e) {
          throw new UncheckedIOException("cannot rename the copy of " + uri + ": " + e.getMessage(), e);
        }
      }
      if (f.equals(trainFile)) {
        executorName = name;
      }
    }
    data.useLocalCopy(copies);
    executorFile = folder ? base + "/" + executorName : base;
    executorImages = images;
  }

  private static final String IDX_TRAIN_IMAGES = "train-images-idx3-ubyte.gz";

  /**
   * Runs {@code train} with the listeners that put it on Spark (none when Spark is not asked for),
   * starting the Spark context before (unless {@link #readOnExecutors} did) and stopping it after.
   */
  <T> T train(String appName, Function<List<TrainingListener>, T> train) {
    return train(appName, null, train);
  }

  /**
   * As {@link #train(String, Function)}; {@code encoding} turns the text the executors read (when
   * {@link #readOnExecutors} set one) into the training token ids, as the driver's training does.
   */
  <T> T train(String appName, SparkData.TextEncoding encoding, Function<List<TrainingListener>, T> train) {
    if (partitions != null && partitions < 1) {
      throw new IllegalArgumentException("--partitions must be >= 1, got " + partitions);
    }
    if (!enabled()) {
      if (partitions != null || averagingEvery != 0) {
        throw new IllegalArgumentException((partitions != null ? "--partitions" : "--averaging-every")
            + " needs --spark-master");
      }
      return train.apply(List.of());
    }
    JavaSparkContext spark = context != null ? context : SparkContexts.start(master, appName);
    try {
      int n = partitions != null ? partitions : spark.defaultParallelism();
      SparkData data = executorFile == null ? null
          : executorImages ? SparkData.idxImages(executorFile) : SparkData.text(executorFile, encoding);
      return train.apply(List.of(new SparkTrainer(spark, n, averagingEvery, null, data)));
    } finally {
      context = spark;
      release();
    }
  }

  /**
   * Stops the Spark context and deletes the data copies, if any are left; {@link #train} does this
   * itself, a command whose run fails between {@link #readOnExecutors} and {@link #train} calls it.
   */
  void release() {
    if (context != null) {
      context.stop();
      context = null;
    }
    if (copies != null) {
      try {
        FileTrees.delete(copies);
      } catch (IOException e) {
        System.err.println("genai4j: could not delete the data copies in " + copies + ": " + e.getMessage());
      }
      copies = null;
    }
  }
}
