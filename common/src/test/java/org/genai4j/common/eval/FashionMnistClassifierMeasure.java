package org.genai4j.common.eval;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.genai4j.common.train.MetricsLogListener;
import org.genai4j.common.train.ProgressBarListener;
import org.genai4j.common.util.BenchTable;
import org.genai4j.common.util.Threads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Measures the default {@link FeatureClassifier} on real Fashion-MNIST: trains it (or loads it
 * from the cache), prints test accuracy and the FID floor (test vs train features). Not a unit
 * test: run with {@code -Dgenai4j.measure=true -Dtest=FashionMnistClassifierMeasure}.
 */
class FashionMnistClassifierMeasure {

  @Test
  @EnabledIfSystemProperty(named = "genai4j.measure", matches = "true")
  void defaultClassifierReaches90PercentOnFashionMnist() throws Exception {
    assertTrue(measure() >= 0.90);
  }

  static double measure() throws Exception {
    Path dir = IdxTestReader.FASHION;
    if (!Files.isDirectory(dir)) {
      throw new IllegalStateException("Fashion-MNIST not found in " + dir + " (set -Dgenai4j.fashion=...)");
    }
    INDArray train = IdxTestReader.images(dir.resolve("train-images-idx3-ubyte.gz"), Integer.MAX_VALUE);
    int[] trainLabels = IdxTestReader.labels(dir.resolve("train-labels-idx1-ubyte.gz"), Integer.MAX_VALUE);
    INDArray test = IdxTestReader.images(dir.resolve("t10k-images-idx3-ubyte.gz"), Integer.MAX_VALUE);
    int[] testLabels = IdxTestReader.labels(dir.resolve("t10k-labels-idx1-ubyte.gz"), Integer.MAX_VALUE);
    FeatureClassifier.Config c = FeatureClassifier.Config.defaults(1, 28, 28, 10);
    long t0 = System.nanoTime();
    Path log = Path.of(System.getProperty("java.io.tmpdir"), "genai4j-classifier-metrics.jsonl");
    FeatureClassifier fc = FeatureClassifier.loadOrTrain("fashion-mnist", c, train, trainLabels,
        new ProgressBarListener("classifier", "img"), new MetricsLogListener(log));
    double seconds = (System.nanoTime() - t0) / 1e9;
    double acc = fc.accuracy(test, testLabels);
    INDArray trainSample = train.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 10000));
    FidScore floor = FidScore.of(fc, trainSample, test);
    new BenchTable("Fashion-MNIST feature classifier (default config)", "config", "train s", "test acc",
        "FID test vs train[0:10k]", "min class %")
        .row(c.key(), seconds, acc, floor.fid(), 100 * floor.minClassFraction())
        .print(System.out);
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    if (Files.isRegularFile(log)) {
      LossPlot.write(log, java.util.List.of("loss"), tmp.resolve("genai4j-classifier-loss.png"));
    }
    ImageGrid.write(test.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 64)), false,
        tmp.resolve("genai4j-fashion-test-grid.png"));
    System.out.println("cache: " + FeatureClassifier.defaultCacheDir() + "  metrics log: " + log
        + "  plots: " + tmp + "/genai4j-classifier-loss.png, genai4j-fashion-test-grid.png  threads: " + Threads.current());
    return acc;
  }
}
