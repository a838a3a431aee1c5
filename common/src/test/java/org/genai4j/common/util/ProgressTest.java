package org.genai4j.common.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressTest {

  @Test
  void plainProgressPrintsTheFirstAndTheFinalCountOnly() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (Progress p = Progress.plain("eval", "img", 10, new PrintStream(buf, true, StandardCharsets.UTF_8))) {
      for (int i = 0; i < 5; i++) {
        p.advance(2);
      }
    }
    String[] lines = buf.toString(StandardCharsets.UTF_8).trim().split("\n");
    assertEquals(2, lines.length, String.join("\n", lines));
    assertTrue(lines[0].startsWith("eval 2/10 img (20%)"), lines[0]);
    assertTrue(lines[1].startsWith("eval 10/10 img (100%)"), lines[1]);
  }

  @Test
  void silentProgressPrintsNothingAndAcceptsAnyCount() {
    try (Progress p = Progress.silent()) {
      p.advance(1_000_000);
    }
  }
}
