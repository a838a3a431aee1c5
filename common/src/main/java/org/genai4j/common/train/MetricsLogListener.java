package org.genai4j.common.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Appends one JSON object per record to a file (JSON lines): {@code step}, {@code elapsed_s},
 * {@code units_per_s}, every metric, and evaluation results prefixed with {@code eval/}. Appending
 * lets a resumed run continue the same log.
 */
public final class MetricsLogListener implements TrainingListener {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path file;
  private BufferedWriter out;

  public MetricsLogListener(Path file) {
    this.file = file;
  }

  @Override
  public void onStep(StepRecord r) {
    try {
      if (out == null) {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8,
            StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      }
      ObjectNode o = JSON.createObjectNode();
      o.put("step", r.step());
      o.put("elapsed_s", r.elapsedSeconds());
      o.put("units_per_s", r.unitsPerSecond());
      r.metrics().forEach(o::put);
      r.evaluation().forEach((k, v) -> o.put("eval/" + k, v));
      out.write(JSON.writeValueAsString(o));
      out.newLine();
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("could not write metrics log " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    if (out != null) {
      try {
        out.close();
      } catch (IOException ignored) {
        // Every record was flushed when written.
      }
      out = null;
    }
  }
}
