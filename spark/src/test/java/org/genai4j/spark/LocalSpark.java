package org.genai4j.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/** A {@code local[N]} Spark context for tests, bound to the loopback interface. */
final class LocalSpark {
  private LocalSpark() {}

  static JavaSparkContext start(int cores) {
    SparkConf conf = new SparkConf().setMaster("local[" + cores + "]").setAppName("genai4j-test")
        .set("spark.ui.enabled", "false")
        .set("spark.driver.host", "127.0.0.1")
        .set("spark.driver.bindAddress", "127.0.0.1")
        .set("spark.locality.wait", "0s");
    return new JavaSparkContext(conf);
  }
}
