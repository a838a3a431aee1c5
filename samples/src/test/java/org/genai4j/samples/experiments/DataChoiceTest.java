package org.genai4j.samples.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Without the real corpus the demo says that it trains on synthetic text, and how to get the real one. */
class DataChoiceTest {

  @TempDir Path tmp;

  @Test
  void withoutTheCorpusTheNoteSaysSyntheticAndWhereTheFileGoes() throws Exception {
    Map<String, String> settings = Map.of("genai4j.data", tmp.resolve("empty").toString(),
        "genai4j.cache", tmp.resolve("cache").toString(), "genai4j.offline", "true");
    Map<String, String> saved = new java.util.HashMap<>();
    settings.keySet().forEach(k -> saved.put(k, System.getProperty(k)));
    try {
      settings.forEach(System::setProperty);
      DataChoice text = DataChoice.text("tinyshakespeare", "synthetic-text");
      assertEquals("synthetic-text", text.name());
      assertTrue(text.note().startsWith("training on synthetic-text (generated text), not tinyshakespeare"),
          text.note());
      assertTrue(text.note().contains("set GENAI4J_DATA to a folder holding text/tinyshakespeare.txt"), text.note());
      assertEquals(1, text.note().lines().count(), text.note());
      assertTrue(text.note().contains("Looked in: ") && text.note().contains(tmp.resolve("empty") + "/text: no such folder"),
          "the places looked in: " + text.note());
      // A bad local file is not "not found": the note gives the reader's own reason.
      java.nio.file.Files.createDirectories(tmp.resolve("bad/text"));
      java.nio.file.Files.write(tmp.resolve("bad/text/tinyshakespeare.txt"), new byte[] {'a', (byte) 0xFF, (byte) 0xFE});
      System.setProperty("genai4j.data", tmp.resolve("bad").toString());
      DataChoice bad = DataChoice.text("tinyshakespeare", "synthetic-text");
      assertEquals("synthetic-text", bad.name());
      assertTrue(bad.note().contains("tinyshakespeare.txt") && !bad.note().contains("not found locally"), bad.note());
      assertEquals(1, bad.note().lines().count(), bad.note());
    } finally {
      saved.forEach((k, v) -> {
        if (v == null) {
          System.clearProperty(k);
        } else {
          System.setProperty(k, v);
        }
      });
    }
  }
}
