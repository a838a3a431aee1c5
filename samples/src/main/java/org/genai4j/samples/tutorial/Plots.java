package org.genai4j.samples.tutorial;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The tutorial's pictures: line charts (XChart) and heat maps of matrices. */
final class Plots {
  private Plots() {}

  /** A line chart of named series, each {x[], y[]}, written as a PNG. */
  static void lines(Path png, String title, String xTitle, String yTitle, Map<String, double[][]> series) {
    XYChart chart = new XYChartBuilder().width(640).height(400).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle)
        .build();
    chart.getStyler().setYAxisDecimalPattern("0.##");
    chart.getStyler().setXAxisDecimalPattern("0");
    series.forEach((name, xy) -> chart.addSeries(name, xy[0], xy[1]).setMarker(SeriesMarkers.NONE));
    try {
      BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + png + ": " + e.getMessage(), e);
    }
  }

  /**
   * A heat map of {@code m} (rows down, columns across), each cell {@code scale} pixels: blue for
   * the smallest value, white in the middle, red for the largest.
   */
  static void heatMap(Path png, double[][] m, int scale) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    for (double[] row : m) {
      for (double v : row) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    BufferedImage img = new BufferedImage(m[0].length * scale, m.length * scale, BufferedImage.TYPE_INT_RGB);
    for (int r = 0; r < m.length; r++) {
      for (int c = 0; c < m[0].length; c++) {
        double t = hi > lo ? (m[r][c] - lo) / (hi - lo) * 2 - 1 : 0; // -1 .. 1
        int red = t < 0 ? (int) (255 * (1 + t)) : 255;
        int blue = t > 0 ? (int) (255 * (1 - t)) : 255;
        int green = (int) (255 * (1 - Math.abs(t)));
        int rgb = (red << 16) | (green << 8) | blue;
        for (int y = 0; y < scale; y++) {
          for (int x = 0; x < scale; x++) {
            img.setRGB(c * scale + x, r * scale + y, rgb);
          }
        }
      }
    }
    try {
      ImageIO.write(img, "png", png.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + png + ": " + e.getMessage(), e);
    }
  }
}
