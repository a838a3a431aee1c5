package org.genai4j.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The {@code local[2]} Spark context the tests share (one per JVM, as Spark allows one), bound to
 * the loopback interface; a test that needs another context stops it first.
 */
final class LocalSpark {
  private LocalSpark() {}

  private static JavaSparkContext shared;

  static synchronized JavaSparkContext shared() {
    if (shared == null) {
      SparkConf conf = new SparkConf().setMaster("local[2]").setAppName("genai4j-test")
          .set("spark.ui.enabled", "false")
          .set("spark.driver.host", "127.0.0.1")
          .set("spark.driver.bindAddress", "127.0.0.1")
          .set("spark.locality.wait", "0s");
      shared = new JavaSparkContext(conf);
      Runtime.getRuntime().addShutdownHook(new Thread(LocalSpark::stop));
    }
    return shared;
  }

  static synchronized void stop() {
    if (shared != null) {
      shared.stop();
      shared = null;
    }
  }
}
