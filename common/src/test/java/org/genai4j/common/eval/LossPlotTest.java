package org.genai4j.common.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.genai4j.common.train.MetricsLogListener;
import org.genai4j.common.train.StepRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LossPlotTest {

  @TempDir Path tmp;

  private Path log() {
    Path log = tmp.resolve("metrics.jsonl");
    try (MetricsLogListener l = new MetricsLogListener(log)) {
      for (int s = 1; s <= 40; s++) {
        Map<String, Double> eval = s % 10 == 0 ? Map.of("val_loss", 3.0 / Math.sqrt(s)) : Map.of();
        l.onStep(new StepRecord(s, 40, Map.of("loss", 3.0 / s), 100, s, eval));
      }
    }
    return log;
  }

  @Test
  void readsSeriesByKey() {
    Map<String, List<double[]>> s = LossPlot.read(log(), List.of("loss", "eval/val_loss"));
    assertEquals(40, s.get("loss").size());
    assertEquals(4, s.get("eval/val_loss").size());
    assertEquals(20, s.get("eval/val_loss").get(1)[0]);
    assertEquals(3.0 / Math.sqrt(20), s.get("eval/val_loss").get(1)[1], 1e-12);
  }

  @Test
  void writesAReadablePngOfTheRequestedSize() throws Exception {
    Path png = tmp.resolve("plots/loss.png");
    LossPlot.write(log(), List.of("loss", "eval/val_loss"), png, 640, 400, "tiny run");
    BufferedImage img = ImageIO.read(png.toFile());
    assertEquals(640, img.getWidth());
    assertEquals(400, img.getHeight());
    // Something was drawn: the image is not a single colour.
    int first = img.getRGB(0, 0);
    boolean varied = false;
    for (int y = 0; y < 400 && !varied; y += 3) {
      for (int x = 0; x < 640 && !varied; x += 3) {
        varied = img.getRGB(x, y) != first;
      }
    }
    assertTrue(varied);
  }

  @Test
  void missingLogBadLineAndUnknownKeyAreClearErrors() throws Exception {
    var e = assertThrows(IllegalArgumentException.class,
        () -> LossPlot.write(tmp.resolve("none.jsonl"), List.of("loss"), tmp.resolve("x.png")));
    assertTrue(e.getMessage().contains("none.jsonl"), e.getMessage());
    Path bad = tmp.resolve("bad.jsonl");
    Files.writeString(bad, "{\"step\":1,\"loss\":2}\nnot json\n");
    e = assertThrows(IllegalArgumentException.class, () -> LossPlot.read(bad, List.of("loss")));
    assertTrue(e.getMessage().contains("line 2"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> LossPlot.write(log(), List.of("nope"), tmp.resolve("y.png")));
    assertTrue(e.getMessage().contains("[nope]"), e.getMessage());
  }
}
