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
import org.genai4j.common.testing.FileFuzzer;
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
      assertEquals(2, s.count(), "the description and the weights, no temporary file left behind");
    }
    assertTrue(Files.readString(cached).contains("\"sha256\""), "the description records the weights' checksum");
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
    e = assertThrows(IllegalArgumentException.class, () -> FeatureClassifier.load(tmp.resolve("none.json"), TINY));
    assertTrue(e.getMessage().contains("none.json"), e.getMessage());
  }

  /** Every way a cache can be wrong ends in a one-line error from load and a rebuild from loadOrTrain. */
  @Test
  void cacheThatDoesNotMatchIsRebuiltNeverTrusted() throws Exception {
    int[] trainLabels = labels(120, 1);
    INDArray train = shapes(trainLabels, 2);
    FeatureClassifier fc = FeatureClassifier.loadOrTrain("shapes", TINY, train, trainLabels, tmp);
    Path json = FeatureClassifier.cacheFile("shapes", TINY, train, trainLabels, tmp);
    Path weights = tmp.resolve(json.getFileName().toString().replace(".json", ".safetensors"));
    String description = Files.readString(json);
    byte[] goodWeights = Files.readAllBytes(weights);

    // A changed weight: the checksum no longer matches.
    byte[] tampered = goodWeights.clone();
    tampered[tampered.length - 1] ^= 1;
    Files.write(weights, tampered);
    var e = assertThrows(IllegalArgumentException.class, () -> FeatureClassifier.load(json, TINY));
    assertTrue(e.getMessage().contains("have SHA-256") && e.getMessage().contains("records"), e.getMessage());
    List<StepRecord> retrained = new ArrayList<>();
    FeatureClassifier rebuilt = FeatureClassifier.loadOrTrain("shapes", TINY, train, trainLabels, tmp, retrained::add);
    assertTrue(!retrained.isEmpty(), "a cache with a wrong checksum is trained again");
    assertEquals(fc.features(train), rebuilt.features(train), "the same seed trains the same classifier");
    FeatureClassifier.load(json, TINY); // and the rebuilt cache is intact

    // A description for another config, one pointing outside its folder, one that is not JSON.
    FeatureClassifier.Config other = new FeatureClassifier.Config(1, 8, 8, 3, 4, 8, 32, 4, 16, 1e-2, 7);
    e = assertThrows(IllegalArgumentException.class, () -> FeatureClassifier.load(json, other));
    assertTrue(e.getMessage().contains("was trained with config") && e.getMessage().contains("hid32"), e.getMessage());
    Files.writeString(json, description.replaceFirst("\"weights\" : \"[^\"]+\"", "\"weights\" : \"../x.safetensors\""));
    e = assertThrows(IllegalArgumentException.class, () -> FeatureClassifier.load(json, TINY));
    assertTrue(e.getMessage().contains("must name a .safetensors file in its own folder"), e.getMessage());
    Files.writeString(json, "PK\u0003\u0004 not json");
    e = assertThrows(IllegalArgumentException.class, () -> FeatureClassifier.load(json, TINY));
    assertTrue(e.getMessage().contains("is not readable JSON") && !e.getMessage().contains("\n"), e.getMessage());
    List<StepRecord> again = new ArrayList<>();
    FeatureClassifier.loadOrTrain("shapes", TINY, train, trainLabels, tmp, again::add);
    assertTrue(!again.isEmpty(), "an unreadable description is trained again");

    // Weights of another shape with a matching checksum: the shapes are checked too.
    FeatureClassifier otherNet = FeatureClassifier.train(other, train, trainLabels);
    otherNet.save(json);
    e = assertThrows(IllegalArgumentException.class, () -> FeatureClassifier.load(json, TINY));
    assertTrue(e.getMessage().contains("was trained with config"), e.getMessage());
    Files.writeString(json, Files.readString(json).replace(other.key(), TINY.key()));
    e = assertThrows(IllegalArgumentException.class, () -> FeatureClassifier.load(json, TINY));
    assertTrue(e.getMessage().contains("has shape") && e.getMessage().contains("expected"), e.getMessage());
  }

  @Test
  void fuzzedCacheDescriptionsAreRefusedInOneLineOrLoaded() throws Exception {
    int[] trainLabels = labels(60, 1);
    INDArray train = shapes(trainLabels, 2);
    Path json = FeatureClassifier.cacheFile("shapes", TINY, train, trainLabels, tmp);
    FeatureClassifier.train(TINY, train, trainLabels).save(json);
    FeatureClassifier.load(json, TINY); // warm-up: DL4J's one-time start-up allocations are not the reader's
    FileFuzzer.Report report = FileFuzzer.of(json.getFileName().toString(), Files.readAllBytes(json))
        // a loaded description builds the network, whose parameters and DL4J's workspaces take about 1 MB
        .allowance(size -> 2 * size + (16L << 20))
        .run(tmp, 2_000, 19, f -> FeatureClassifier.load(f, TINY));
    System.out.println("classifier cache description fuzz: " + report.summary());
    assertEquals(0, report.failed(), String.join("\n", report.failures()));
  }
}
