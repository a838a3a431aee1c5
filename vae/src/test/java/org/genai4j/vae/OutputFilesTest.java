package org.genai4j.vae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.DataInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Samples, IDX files, PNG grids and the stable log-mean-exp. */
class OutputFilesTest {

  @Test
  void samplesAreImagesInUnitRangeAndReproducible() {
    Vae vae = Vae.create(VaeConfig.mlp(1, 6, 5, List.of(8), 2), 1);
    INDArray a = vae.sample(7, 42);
    assertEquals(List.of(7L, 1L, 6L, 5L), List.of(a.size(0), a.size(1), a.size(2), a.size(3)));
    assertTrue(a.minNumber().doubleValue() >= 0 && a.maxNumber().doubleValue() <= 1);
    assertEquals(a, vae.sample(7, 42));
    assertTrue(!a.equals(vae.sample(7, 43)));
    Vae conv = Vae.create(VaeConfig.conv(1, 8, 4, List.of(2), 3), 1);
    INDArray c = conv.sample(3, 1);
    assertEquals(List.of(3L, 1L, 8L, 4L), List.of(c.size(0), c.size(1), c.size(2), c.size(3)));
    assertTrue(c.minNumber().doubleValue() >= 0 && c.maxNumber().doubleValue() <= 1);
  }

  @Test
  void gaussianDecodingsAreTheMeansClippedToTheUnitRange() {
    VaeConfig config = new VaeConfig(VaeConfig.Arch.MLP, 1, 1, 3, List.of(), 2, VaeConfig.Likelihood.GAUSSIAN_LEARNED,
        0, 1, 0);
    Vae vae = Vae.create(config, 1);
    // Zero weights: the output is the bias, 3 means then 3 log-variances.
    vae.params().get("decoder.0.weight").value().zero();
    vae.params().get("decoder.0.bias").value().write(0, new float[] {-0.5f, 0.25f, 1.5f, 9f, 9f, 9f}, 0, 6);
    INDArray d = vae.decode(Nd4j.zeros(DataType.FLOAT, 2, 2));
    assertEquals(List.of(2L, 1L, 1L, 3L), List.of(d.size(0), d.size(1), d.size(2), d.size(3)));
    assertTrue(java.util.Arrays.equals(new float[] {0f, 0.25f, 1f, 0f, 0.25f, 1f}, d.data().asFloat()),
        java.util.Arrays.toString(d.data().asFloat()));
  }

  @Test
  void idxFileHasMnistHeaderAndBytes(@TempDir Path dir) throws Exception {
    INDArray img = Nd4j.create(new float[] {0f, 1f, 0.5f, 0.2f, 2f, -1f}, new long[] {2, 1, 1, 3}, DataType.FLOAT);
    Path f = dir.resolve("s.idx");
    org.genai4j.common.eval.IdxImageWriter.write(img, f);
    try (DataInputStream in = new DataInputStream(Files.newInputStream(f))) {
      assertEquals(0x00000803, in.readInt());
      assertEquals(2, in.readInt());
      assertEquals(1, in.readInt());
      assertEquals(3, in.readInt());
      int[] expected = {0, 255, 128, 51, 255, 0};
      for (int e : expected) {
        assertEquals(e, in.readUnsignedByte());
      }
      assertEquals(-1, in.read());
    }
  }

  @Test
  void picturesAreWritten(@TempDir Path dir) throws Exception {
    Vae vae = Vae.create(VaeConfig.mlp(1, 4, 4, List.of(8), 2), 1);
    INDArray images = Nd4j.rand(DataType.FLOAT, 12, 1, 4, 4);
    List<Path> files = VaePictures.writeAll(vae, images, dir, 3);
    assertEquals(4, files.size(), "latent 2 adds the manifold: " + files);
    BufferedImage manifold = ImageIO.read(dir.resolve(VaePictures.MANIFOLD).toFile());
    assertEquals(2 + 20 * (4 + 2), manifold.getWidth());
    BufferedImage interp = ImageIO.read(dir.resolve(VaePictures.INTERPOLATION).toFile());
    assertEquals(2 + 10 * (4 + 2), interp.getWidth());
    assertEquals(2 + 6 * (4 + 2), interp.getHeight(), "6 pairs from 12 images");
  }

  @Test
  void logMeanExpIsStable() {
    assertEquals(1000 + Math.log(0.5 * (1 + Math.exp(-1))), VaeEvaluation.logMeanExp(new double[] {1000, 999}), 1e-9);
    assertEquals(-1000 - Math.log(2), VaeEvaluation.logMeanExp(new double[] {-1000, Double.NEGATIVE_INFINITY}), 1e-9);
  }
}
