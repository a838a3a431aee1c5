package org.genai4j.common.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Plots metrics from a JSON-lines log (as {@link org.genai4j.common.train.MetricsLogListener}
 * writes) against {@code step} as a PNG: one series per key, e.g. {@code loss} and {@code
 * eval/val_loss}. Records without a key are skipped for that series.
 */
public final class LossPlot {
  private LossPlot() {}

  /** The (step, value) points of each key, in log order. */
  public static Map<String, List<double[]>> read(Path jsonl, List<String> keys) {
    if (!Files.isRegularFile(jsonl)) {
      throw new IllegalArgumentException("metrics log not found: " + jsonl.toAbsolutePath());
    }
    ObjectMapper json = new ObjectMapper();
    Map<String, List<double[]>> series = new LinkedHashMap<>();
    keys.forEach(k -> series.put(k, new ArrayList<>()));
    List<String> lines;
    try {
      lines = Files.readAllLines(jsonl);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read metrics log " + jsonl + ": " + e.getMessage(), e);
    }
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).trim();
      if (line.isEmpty()) {
        continue;
      }
      JsonNode o;
      try {
        o = json.readTree(line);
      } catch (IOException e) {
        throw new IllegalArgumentException("line " + (i + 1) + " of " + jsonl + " is not JSON: " + e.getMessage());
      }
      if (o == null || !o.has("step")) {
        throw new IllegalArgumentException("line " + (i + 1) + " of " + jsonl + " has no 'step'");
      }
      for (String k : keys) {
        JsonNode v = o.get(k);
        if (v != null && v.isNumber() && Double.isFinite(v.asDouble())) {
          series.get(k).add(new double[] {o.get("step").asDouble(), v.asDouble()});
        }
      }
    }
    return series;
  }

  /** Writes a {@code width x height} PNG of the given keys of {@code jsonl}. */
  public static void write(Path jsonl, List<String> keys, Path png, int width, int height, String title) {
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("name at least one metric to plot");
    }
    Map<String, List<double[]>> series = read(jsonl, keys);
    if (series.values().stream().allMatch(List::isEmpty)) {
      throw new IllegalArgumentException("metrics log " + jsonl + " has no values for " + keys);
    }
    XYChart chart = new XYChartBuilder().width(width).height(height).title(title)
        .xAxisTitle("step").yAxisTitle(keys.size() == 1 ? keys.get(0) : "value").build();
    chart.getStyler().setMarkerSize(3);
    for (var e : series.entrySet()) {
      List<double[]> pts = e.getValue();
      if (pts.isEmpty()) {
        continue;
      }
      double[] x = new double[pts.size()], y = new double[pts.size()];
      for (int i = 0; i < x.length; i++) {
        x[i] = pts.get(i)[0];
        y[i] = pts.get(i)[1];
      }
      var s = chart.addSeries(e.getKey(), x, y);
      if (pts.size() > 50) {
        s.setMarker(SeriesMarkers.NONE);
      }
    }
    try {
      Path parent = png.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      try (var out = new java.io.BufferedOutputStream(Files.newOutputStream(png))) {
        BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not write plot " + png + ": " + e.getMessage(), e);
    }
  }

  /** An 800x500 plot titled with the log's file name. */
  public static void write(Path jsonl, List<String> keys, Path png) {
    write(jsonl, keys, png, 800, 500, jsonl.getFileName().toString());
  }
}
