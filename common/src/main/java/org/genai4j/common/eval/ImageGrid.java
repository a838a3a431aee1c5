package org.genai4j.common.eval;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Writes a batch of images ({@code [N, C, H, W]}, C = 1 grayscale or 3 RGB) as one PNG grid of
 * {@code rows x cols} cells, in row-major order, separated by {@code padding} black pixels and
 * optionally scaled up by an integer factor (nearest neighbour) so small images stay visible.
 * Pixels are in [0, 1], or in [-1, 1] when {@code signed} (a tanh generator's output); values
 * outside the range are clipped. Cells beyond N stay black.
 */
public final class ImageGrid {
  private ImageGrid() {}

  /** Renders the grid; see the class comment for the parameters. */
  public static BufferedImage render(INDArray images, int rows, int cols, boolean signed, int padding, int scale) {
    if (images == null || images.rank() != 4 || (images.size(1) != 1 && images.size(1) != 3)) {
      throw new IllegalArgumentException("images must be [N, C, H, W] with C = 1 or 3, got "
          + (images == null ? "null" : Arrays.toString(images.shape())));
    }
    if (rows < 1 || cols < 1 || padding < 0 || scale < 1) {
      throw new IllegalArgumentException("need rows, cols, scale >= 1 and padding >= 0, got rows=" + rows
          + " cols=" + cols + " padding=" + padding + " scale=" + scale);
    }
    int n = (int) images.size(0), c = (int) images.size(1), h = (int) images.size(2), w = (int) images.size(3);
    int cellW = w * scale, cellH = h * scale;
    int width = cols * cellW + (cols + 1) * padding;
    int height = rows * cellH + (rows + 1) * padding;
    BufferedImage img = new BufferedImage(width, height, c == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
    int count = Math.min(n, rows * cols);
    float[] px = images.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, count))
        .castTo(DataType.FLOAT).dup('c').data().asFloat();
    var raster = img.getRaster();
    int[] pixel = new int[c];
    for (int k = 0; k < count; k++) {
      int x0 = padding + (k % cols) * (cellW + padding);
      int y0 = padding + (k / cols) * (cellH + padding);
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          for (int ch = 0; ch < c; ch++) {
            float v = px[((k * c + ch) * h + y) * w + x];
            pixel[ch] = toByte(signed ? (v + 1) / 2 : v);
          }
          for (int dy = 0; dy < scale; dy++) {
            for (int dx = 0; dx < scale; dx++) {
              raster.setPixel(x0 + x * scale + dx, y0 + y * scale + dy, pixel);
            }
          }
        }
      }
    }
    return img;
  }

  private static int toByte(float v) {
    if (Float.isNaN(v)) {
      return 0;
    }
    return Math.round(Math.max(0f, Math.min(1f, v)) * 255f);
  }

  /** Writes the grid as a PNG (creating the folder). */
  public static void write(INDArray images, int rows, int cols, boolean signed, int padding, int scale, Path png) {
    BufferedImage img = render(images, rows, cols, signed, padding, scale);
    try {
      Path parent = png.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      if (!ImageIO.write(img, "png", png.toFile())) {
        throw new IOException("no PNG writer available");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not write image grid " + png + ": " + e.getMessage(), e);
    }
  }

  /** A square-ish grid of all images with 2-pixel padding, scaled up 2x. */
  public static void write(INDArray images, boolean signed, Path png) {
    int n = (int) images.size(0);
    int cols = (int) Math.ceil(Math.sqrt(n));
    write(images, (n + cols - 1) / cols, cols, signed, 2, 2, png);
  }
}
