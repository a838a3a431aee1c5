package org.genai4j.vae;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Writes images [N, C, H, W] with values in [0,1] (C = 1 grey, C = 3 RGB) as one PNG grid,
 * row-major, with a 2-pixel dark border. A module-local helper until common's eval ImageGrid is
 * merged.
 */
final class PngGrid {
  private PngGrid() {}

  private static final int PAD = 2;

  static void write(Path file, INDArray images, int columns) {
    if (images.rank() != 4 || (images.size(1) != 1 && images.size(1) != 3)) {
      throw new IllegalArgumentException("image grid needs [N, 1 or 3, H, W], got " + Arrays.toString(images.shape()));
    }
    int n = (int) images.size(0);
    int c = (int) images.size(1);
    int h = (int) images.size(2);
    int w = (int) images.size(3);
    int cols = Math.max(1, Math.min(columns, n));
    int rows = (n + cols - 1) / cols;
    BufferedImage img = new BufferedImage(PAD + cols * (w + PAD), PAD + rows * (h + PAD), BufferedImage.TYPE_INT_RGB);
    float[] v = images.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).dup('c').data().asFloat();
    for (int i = 0; i < n; i++) {
      int x0 = PAD + (i % cols) * (w + PAD);
      int y0 = PAD + (i / cols) * (h + PAD);
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int[] rgb = new int[3];
          for (int k = 0; k < 3; k++) {
            int ch = c == 1 ? 0 : k;
            rgb[k] = toByte(v[((i * c + ch) * h + y) * w + x]);
          }
          img.setRGB(x0 + x, y0 + y, (rgb[0] << 16) | (rgb[1] << 8) | rgb[2]);
        }
      }
    }
    try {
      Path parent = file.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      if (!ImageIO.write(img, "png", file.toFile())) {
        throw new IllegalStateException("no PNG writer available");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not write image grid " + file + ": " + e.getMessage(), e);
    }
  }

  static int toByte(double v) {
    if (!(v > 0)) return 0;
    if (v >= 1) return 255;
    return (int) Math.round(v * 255);
  }
}
