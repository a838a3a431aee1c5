package org.genai4j.gan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DcganConfigTest {

  @Test
  void referenceConfigIsTheFashionMnistDcgan() {
    DcganConfig c = DcganConfig.fashionMnist();
    assertEquals(2, c.stages());
    assertEquals(7, c.startSize());
    assertEquals(4, DcganConfig.of(32, 3).startSize());
    assertEquals(4, DcganConfig.of(64, 3).startSize());
    assertEquals(c, DcganConfig.fromJson(c.toJson()));
  }

  @Test
  void badConfigsNameTheField() {
    expect("imageSize", () -> DcganConfig.of(30, 1));
    expect("channels", () -> DcganConfig.of(28, 2));
    expect("latentSize", () -> DcganConfig.fashionMnist().withLatentSize(0));
    expect("baseFeatures", () -> DcganConfig.fashionMnist().withBaseFeatures(0));
    expect("learningRate", () -> DcganConfig.fashionMnist().withLearningRate(-1));
    expect("realLabel", () -> DcganConfig.fashionMnist().withLabelSmoothing(0.2));
    expect("beta", () -> new DcganConfig(28, 1, 100, 64, 2e-4, 1.0, 0.999, 1.0));
    expect("not a DcganConfig", () -> DcganConfig.fromJson("{\"imageSize\": \"x\"}"));
    expect("batchSize", () -> GanTrainOptions.of(1, java.nio.file.Path.of("x")).withBatchSize(1));
    expect("epochs", () -> GanTrainOptions.of(0, java.nio.file.Path.of("x")));
    expect("threads", () -> GanTrainOptions.of(1, java.nio.file.Path.of("x")).withThreads(-1));
    expect("outDir", () -> GanTrainOptions.of(1, null));
  }

  private static void expect(String word, Runnable r) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
    assertTrue(e.getMessage().contains(word), "message should name '" + word + "': " + e.getMessage());
  }
}
