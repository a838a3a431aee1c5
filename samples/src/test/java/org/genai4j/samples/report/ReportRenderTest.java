package org.genai4j.samples.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opens a report in headless Chromium and checks that its tables and images render. */
class ReportRenderTest {

  @TempDir Path dir;

  @Test
  void reportRendersTablesAndImagesInChromium() throws Exception {
    Path png = dir.resolve("grid.png");
    BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
    img.getRaster().setSample(3, 3, 0, 255);
    ImageIO.write(img, "png", png.toFile());
    Report r = new Report("test report", Map.of("machine", "test"));
    r.section("numbers", "a table and an image")
        .table("results", List.of("model", "fid"), List.of(List.of("dcgan", "12.3"), List.of("vae", "45.6")))
        .image("samples", png)
        .text("generated", "ROMEO:\nhello");
    Path html = r.write(dir.resolve("out"));
    assertTrue(Files.readString(dir.resolve("out/report.json")).contains("\"fid\" : \"12.3\""));

    String dom = Chromium.dumpDom(html);
    assertEquals("1", attribute(dom, "data-images-total"), dom);
    assertEquals("1", attribute(dom, "data-images-ok"), "the embedded PNG did not decode");
    assertEquals("3", attribute(dom, "data-table-rows"));
    assertTrue(dom.contains("<td>dcgan</td>"));
  }

  @Test
  void brokenImageIsDetected() throws Exception {
    Path bad = dir.resolve("bad.png");
    Files.write(bad, new byte[] {1, 2, 3, 4});
    Path html = new Report("broken", Map.of()).image("not a png", bad).write(dir.resolve("bad"));
    String dom = Chromium.dumpDom(html);
    assertEquals("1", attribute(dom, "data-images-total"));
    assertEquals("0", attribute(dom, "data-images-ok"));
  }

  private static String attribute(String dom, String name) {
    Matcher m = Pattern.compile(name + "=\"(\\d+)\"").matcher(dom);
    return m.find() ? m.group(1) : "missing";
  }
}
