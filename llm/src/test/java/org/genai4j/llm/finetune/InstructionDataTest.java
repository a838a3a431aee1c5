package org.genai4j.llm.finetune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstructionDataTest {

  @TempDir Path dir;

  @Test
  void readsTheSharedFilesAndSplitsThemAsLlmsFromScratch() {
    Path folder = Path.of("").toAbsolutePath().getParent().getParent().resolve("shared/data/instruct");
    assumeTrue(Files.isDirectory(folder), "skipped: no instruction data at " + folder);
    InstructionData data = InstructionData.readJson(folder.resolve("instruction-data.json"), false);
    assertEquals(1100, data.size());
    InstructionData.Splits splits = data.split();
    assertEquals(935, splits.train().size());
    assertEquals(55, splits.validation().size());
    assertEquals(110, splits.test().size());
    assertEquals(data.records().get(935), splits.test().records().get(0));
    InstructionData preference = InstructionData.readJson(folder.resolve("instruction-data-with-preference.json"),
        true);
    assertEquals(1100, preference.size());
    assertTrue(preference.records().stream().allMatch(InstructionRecord::hasPreference));
  }

  @Test
  void formatsTheAlpacaPromptWithAndWithoutInput() {
    String withInput = AlpacaPrompt.prompt(InstructionRecord.of("Edit the sentence.", "He go.", "He goes."));
    assertEquals("Below is an instruction that describes a task. Write a response that appropriately completes the"
        + " request.\n\n### Instruction:\nEdit the sentence.\n\n### Input:\nHe go.\n\n### Response:\n", withInput);
    String without = AlpacaPrompt.prompt(InstructionRecord.of("Name a color.", "", "Blue."));
    assertFalse(without.contains("### Input:"));
    assertTrue(AlpacaPrompt.full(InstructionRecord.of("Name a color.", "", "Blue.")).endsWith("### Response:\nBlue."));
  }

  @Test
  void badRecordsGetOneLineErrorsNamingRecordAndField() throws Exception {
    assertError("{\"instruction\": \"x\"}", false, "expected a JSON array");
    assertError("[{\"input\": \"\", \"output\": \"y\"}]", false, "record 0 has no \"instruction\"");
    assertError("[{\"instruction\": \"x\", \"output\": \"y\"}, {\"instruction\": \"x\"}]", false,
        "record 1 has no \"output\"");
    assertError("[{\"instruction\": \"x\", \"output\": 3}]", false, "\"output\" must be a string, got number");
    assertError("[{\"instruction\": \"x\", \"output\": \"y\", \"ouptut\": \"z\"}]", false, "unknown field \"ouptut\"");
    assertError("[{\"instruction\": \"x\", \"output\": \"y\"}]", true, "record 0 has no \"chosen\"");
    assertError("[{\"instruction\": \"x\", \"output\": \"y\",", false, "not valid JSON");
    assertError("[]", false, "holds no instruction records");
  }

  private void assertError(String json, boolean preference, String expected) throws Exception {
    Path file = Files.writeString(dir.resolve("data.json"), json);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> InstructionData.readJson(file, preference));
    assertTrue(e.getMessage().contains(expected) && e.getMessage().contains("data.json")
        && !e.getMessage().contains("\n"), e.getMessage());
  }
}
