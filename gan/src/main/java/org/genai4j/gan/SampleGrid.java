package org.genai4j.gan;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Writes images {@code [N, C, H, W]} with values in [0, 1] as one PNG grid (grey for C = 1, RGB for
 * C = 3), 2-pixel black gaps between tiles. A gan-local helper until common's ImageGrid is merged.
 */
public final class SampleGrid {
  private SampleGrid() {}

  private static final int GAP = 2;

  /** Writes {@code images} in rows of {@code columns} tiles to {@code png}. */
  public static void write(INDArray images, int columns, Path png) {
    if (images.rank() != 4 || (images.size(1) != 1 && images.size(1) != 3)) {
      throw new IllegalArgumentException("grid images must be [N, 1 or 3, H, W], got "
          + java.util.Arrays.toString(images.shape()));
    }
    if (columns < 1) {
      throw new IllegalArgumentException("grid columns must be >= 1, got " + columns);
    }
    int n = (int) images.size(0);
    int c = (int) images.size(1);
    int h = (int) images.size(2);
    int w = (int) images.size(3);
    int cols = Math.min(columns, n);
    int rows = (n + cols - 1) / cols;
    BufferedImage img = new BufferedImage(cols * (w + GAP) + GAP, rows * (h + GAP) + GAP,
        c == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
    float[] v = images.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).dup('c').data().asFloat();
    for (int i = 0; i < n; i++) {
      int x0 = GAP + (i % cols) * (w + GAP);
      int y0 = GAP + (i / cols) * (h + GAP);
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int rgb = 0;
          for (int ch = 0; ch < c; ch++) {
            int b = toByte(v[((i * c + ch) * h + y) * w + x]);
            rgb = c == 1 ? (b << 16) | (b << 8) | b : rgb | (b << (8 * (2 - ch)));
          }
          img.setRGB(x0 + x, y0 + y, rgb);
        }
      }
    }
    try {
      Path parent = png.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      if (!ImageIO.write(img, "png", png.toFile())) {
        throw new IOException("no PNG writer available");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not write grid " + png + ": " + e.getMessage(), e);
    }
  }

  private static int toByte(float f) {
    return Math.max(0, Math.min(255, Math.round(f * 255f)));
  }
}
