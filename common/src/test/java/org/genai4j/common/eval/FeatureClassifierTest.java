package org.genai4j.common.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.genai4j.common.train.StepRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class FeatureClassifierTest {

  @TempDir Path tmp;

  static final FeatureClassifier.Config TINY = new FeatureClassifier.Config(1, 8, 8, 3, 4, 8, 16, 4, 16, 1e-2, 7);

  /** 8x8 images of a horizontal bar (class 0), a vertical bar (1) or a diagonal (2) at random places, plus noise. */
  static INDArray shapes(int[] labels, long seed) {
    Random r = new Random(seed);
    float[] px = new float[labels.length * 64];
    for (int i = 0; i < labels.length; i++) {
      int cls = labels[i];
      int pos = 1 + r.nextInt(6);
      for (int j = 0; j < 64; j++) {
        px[i * 64 + j] = 0.25f * r.nextFloat();
      }
      for (int k = 0; k < 8; k++) {
        int row = cls == 0 ? pos : k;
        int col = cls == 1 ? pos : cls == 0 ? k : (k + pos) % 8;
        px[i * 64 + row * 8 + col] = 0.75f + 0.25f * r.nextFloat();
      }
    }
    return Nd4j.create(px, new long[] {labels.length, 1, 8, 8}, DataType.FLOAT);
  }

  static int[] labels(int n, long seed) {
    Random r = new Random(seed);
    int[] l = new int[n];
    for (int i = 0; i < n; i++) {
      l[i] = r.nextInt(3);
    }
    return l;
  }

  @Test
  void learnsSyntheticShapesAndCachesItself() throws Exception {
    int[] trainLabels = labels(300, 1);
    INDArray train = shapes(trainLabels, 2);
    int[] testLabels = labels(150, 3);
    INDArray test = shapes(testLabels, 4);
    List<StepRecord> records = new ArrayList<>();

    FeatureClassifier fc = FeatureClassifier.loadOrTrain("shapes", TINY, train, trainLabels, tmp, records::add);
    assertTrue(records.size() > 3, "training reported progress through the Trainer");
    double firstLoss = records.get(0).loss();
    double lastLoss = records.get(records.size() - 1).loss();
    assertTrue(lastLoss < 0.5 * firstLoss, "loss fell from " + firstLoss + " to " + lastLoss);
    double acc = fc.accuracy(test, testLabels);
    assertTrue(acc > 0.9, "held-out accuracy " + acc);

    INDArray f = fc.features(test);
    assertArrayEquals(new long[] {150, 16}, f.shape());
    assertEquals(16, fc.featureWidth());

    Path cached = FeatureClassifier.cacheFile("shapes", TINY, train, trainLabels, tmp);
    assertTrue(Files.isRegularFile(cached) && cached.getFileName().toString().startsWith("shapes-"));
    try (Stream<Path> s = Files.list(tmp)) {
      assertEquals(1, s.count(), "no temporary file left behind");
    }
    List<StepRecord> again = new ArrayList<>();
    FeatureClassifier loaded = FeatureClassifier.loadOrTrain("shapes", TINY, train, trainLabels, tmp, again::add);
    assertTrue(again.isEmpty(), "second call loads from the cache instead of training");
    assertEquals(f, loaded.features(test));
    assertArrayEquals(fc.predict(test), loaded.predict(test));

    // Other data gives another cache entry.
    assertNotEquals(cached, FeatureClassifier.cacheFile("shapes", TINY, test, testLabels, tmp));

    // FID through the classifier: held-out real images are much closer to real than a shifted set.
    FidScore same = FidScore.of(fc, train, test);
    FidScore onlyBars = FidScore.of(fc, train, shapes(new int[150], 5)); // class 0 only: mode collapse
    assertTrue(same.fid() < onlyBars.fid(), same.summary() + " vs " + onlyBars.summary());
    assertTrue(same.minClassFraction() > 0.2, same.summary());
    assertTrue(onlyBars.classFractions()[0] > 0.9 && onlyBars.minClassFraction() < 0.05, onlyBars.summary());
  }

  @Test
  void wrongImageShapeAndLabelCountAreClearErrors() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> FeatureClassifier.train(TINY, Nd4j.rand(DataType.FLOAT, 4, 1, 9, 8), new int[4]));
    assertTrue(e.getMessage().contains("[N, 1, 8, 8]") && e.getMessage().contains("[4, 1, 9, 8]"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> FeatureClassifier.train(TINY, Nd4j.rand(DataType.FLOAT, 4, 1, 8, 8), new int[3]));
    assertTrue(e.getMessage().contains("3 labels"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> FeatureClassifier.train(TINY, Nd4j.rand(DataType.FLOAT, 2, 1, 8, 8), new int[] {0, 3}));
    assertTrue(e.getMessage().contains("label 3 of image 1"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> FeatureClassifier.load(tmp.resolve("none.zip"), TINY));
    assertTrue(e.getMessage().contains("none.zip"), e.getMessage());
  }
}
