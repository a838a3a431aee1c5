package org.genai4j.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/** Starts the Spark context a training run uses. */
public final class SparkContexts {
  private SparkContexts() {}

  /**
   * A context on {@code master} ({@code local[N]}, {@code spark://HOST:PORT}, or null to take the
   * one {@code spark-submit} set). Settings given by {@code spark-submit --conf} win over the
   * defaults here: no web UI, and task results as large as a model's gradients.
   */
  public static JavaSparkContext start(String master, String appName) {
    SparkConf conf = new SparkConf().setAppName(appName);
    if (master != null) {
      if (!master.startsWith("local") && !master.startsWith("spark://") && !master.startsWith("k8s://")
          && !master.equals("yarn")) {
        throw new IllegalArgumentException("--spark-master must be local[N], spark://HOST:PORT, k8s://... or yarn,"
            + " got '" + master + "'");
      }
      conf.setMaster(master);
    } else if (!conf.contains("spark.master")) {
      throw new IllegalArgumentException("no Spark master: pass --spark-master local[N] or spark://HOST:PORT, or run"
          + " under spark-submit --master");
    }
    conf.setIfMissing("spark.ui.enabled", "false");
    conf.setIfMissing("spark.driver.maxResultSize", "0");
    // A step is a job of a few tasks: offer them to executors at once rather than waiting for locality.
    conf.setIfMissing("spark.locality.wait", "0s");
    return new JavaSparkContext(conf);
  }
}
