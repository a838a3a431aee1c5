package org.genai4j.gan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.io.DataInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ImageFilesTest {

  @Test
  void idxFileHasTheMnistLayout(@TempDir Path dir) throws Exception {
    INDArray img = Nd4j.zeros(DataType.FLOAT, 2, 1, 3, 4);
    img.putScalar(new long[] {1, 0, 2, 3}, 1.0);
    img.putScalar(new long[] {0, 0, 0, 1}, 0.5);
    Path f = dir.resolve("s.idx");
    IdxWriter.writeImages(img, f);
    try (DataInputStream in = new DataInputStream(Files.newInputStream(f))) {
      assertEquals(0x00000803, in.readInt());
      assertEquals(2, in.readInt());
      assertEquals(3, in.readInt());
      assertEquals(4, in.readInt());
      byte[] px = in.readAllBytes();
      assertEquals(24, px.length);
      assertEquals(128, px[1] & 0xFF);
      assertEquals(255, px[23] & 0xFF);
      assertEquals(0, px[0]);
    }
  }

  @Test
  void gridPngHasOneTilePerImage(@TempDir Path dir) throws Exception {
    INDArray img = Nd4j.ones(DataType.FLOAT, 5, 1, 28, 28);
    Path f = dir.resolve("g.png");
    SampleGrid.write(img, 4, f);
    BufferedImage b = ImageIO.read(f.toFile());
    assertEquals(4 * 30 + 2, b.getWidth());
    assertEquals(2 * 30 + 2, b.getHeight());
    assertEquals(0xFFFFFF, b.getRGB(2, 2) & 0xFFFFFF);
    assertEquals(0, b.getRGB(0, 0) & 0xFFFFFF);
  }
}
