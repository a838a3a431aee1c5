package org.genai4j.common.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsLogListenerTest {

  @TempDir Path tmp;

  @Test
  void writesOneParsableJsonObjectPerRecordAndAppendsOnResume() throws Exception {
    Path log = tmp.resolve("logs/metrics.jsonl");
    try (MetricsLogListener l = new MetricsLogListener(log)) {
      l.onStep(new StepRecord(1, 3, Map.of("loss", 2.5, "g/lr", 1e-3), 100, 0.5, Map.of()));
      l.onStep(new StepRecord(2, 3, Map.of("loss", 2.0), 120, 1.0, Map.of("val_loss", 2.2)));
    }
    try (MetricsLogListener l = new MetricsLogListener(log)) {
      l.onStep(new StepRecord(3, 3, Map.of("loss", 1.5), 110, 0.4, Map.of()));
    }
    List<String> lines = Files.readAllLines(log);
    assertEquals(3, lines.size());
    ObjectMapper json = new ObjectMapper();
    JsonNode first = json.readTree(lines.get(0));
    assertEquals(1, first.get("step").asLong());
    assertEquals(2.5, first.get("loss").asDouble());
    assertEquals(1e-3, first.get("g/lr").asDouble());
    assertEquals(100, first.get("units_per_s").asDouble());
    JsonNode second = json.readTree(lines.get(1));
    assertEquals(2.2, second.get("eval/val_loss").asDouble());
    assertEquals(3, json.readTree(lines.get(2)).get("step").asLong());
  }
}
