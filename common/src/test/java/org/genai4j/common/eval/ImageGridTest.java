package org.genai4j.common.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ImageGridTest {

  @TempDir Path tmp;

  @Test
  void grayscalePixelsLandInTheirCellsScaledAndPadded() throws Exception {
    // 3 images of 2x3; image k has value k/4 everywhere except pixel (1, 2) = 1.
    INDArray imgs = Nd4j.zeros(DataType.FLOAT, 3, 1, 2, 3);
    for (int k = 0; k < 3; k++) {
      imgs.get(org.nd4j.linalg.indexing.NDArrayIndex.point(k)).assign(k / 4.0);
      imgs.putScalar(new long[] {k, 0, 1, 2}, 1.0);
    }
    Path png = tmp.resolve("out/grid.png");
    ImageGrid.write(imgs, 2, 2, false, 1, 2, png);
    BufferedImage img = ImageIO.read(png.toFile());
    // 2 cols of (3*2) + 3 padding = 15 wide; 2 rows of (2*2) + 3 padding = 11 high.
    assertEquals(15, img.getWidth());
    assertEquals(11, img.getHeight());
    var r = img.getRaster();
    // Image 1 sits in row 0, col 1: x0 = 1 + 6 + 1 = 8, y0 = 1.
    assertEquals(64, r.getSample(8, 1, 0)); // round(0.25 * 255)
    assertEquals(64, r.getSample(9, 2, 0)); // same source pixel, scaled 2x
    assertEquals(255, r.getSample(8 + 4, 1 + 2, 0)); // pixel (1, 2) -> x 8 + 2*2, y 1 + 1*2
    assertEquals(255, r.getSample(8 + 5, 1 + 3, 0));
    // Image 2 in row 1, col 0: x0 = 1, y0 = 1 + 4 + 1 = 6.
    assertEquals(128, r.getSample(1, 6, 0));
    // Padding and the empty 4th cell are black.
    assertEquals(0, r.getSample(0, 0, 0));
    assertEquals(0, r.getSample(7, 3, 0));
    assertEquals(0, r.getSample(9, 7, 0));
  }

  @Test
  void signedRgbImagesMapMinusOneToBlackAndOneToWhite() throws Exception {
    INDArray imgs = Nd4j.zeros(DataType.FLOAT, 1, 3, 1, 2);
    imgs.putScalar(new long[] {0, 0, 0, 0}, 1.0); // red at (0, 0)
    imgs.putScalar(new long[] {0, 1, 0, 0}, -1.0);
    imgs.putScalar(new long[] {0, 2, 0, 0}, -1.0);
    imgs.putScalar(new long[] {0, 0, 0, 1}, -5.0); // clipped to black red
    imgs.putScalar(new long[] {0, 1, 0, 1}, 1.0);
    imgs.putScalar(new long[] {0, 2, 0, 1}, 0.0);
    Path png = tmp.resolve("rgb.png");
    ImageGrid.write(imgs, 1, 1, true, 0, 1, png);
    BufferedImage img = ImageIO.read(png.toFile());
    assertEquals(2, img.getWidth());
    assertEquals(1, img.getHeight());
    assertEquals(0xFF0000, img.getRGB(0, 0) & 0xFFFFFF);
    assertEquals(0x00FF80, img.getRGB(1, 0) & 0xFFFFFF);
  }

  @Test
  void badShapeIsAClearError() {
    var e = assertThrows(IllegalArgumentException.class, () -> ImageGrid.render(Nd4j.zeros(2, 2, 4, 4), 1, 2, false, 0, 1));
    assertTrue(e.getMessage().contains("C = 1 or 3") && e.getMessage().contains("[2, 2, 4, 4]"), e.getMessage());
  }
}
