package org.genai4j.samples.cli;

import java.util.List;
import java.util.function.Function;
import org.apache.spark.api.java.JavaSparkContext;
import org.genai4j.common.train.TrainingListener;
import org.genai4j.spark.SparkContexts;
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

  /**
   * Runs {@code train} with the listeners that put it on Spark (none when Spark is not asked for),
   * starting the Spark context before and stopping it after.
   */
  <T> T train(String appName, Function<List<TrainingListener>, T> train) {
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
    JavaSparkContext spark = SparkContexts.start(master, appName);
    try {
      int n = partitions != null ? partitions : spark.defaultParallelism();
      return train.apply(List.of(new SparkTrainer(spark, n, averagingEvery, null)));
    } finally {
      spark.stop();
    }
  }
}
