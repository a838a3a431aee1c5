package org.genai4j.samples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code llm train --arch llama}, {@code llm inspect}, {@code llm export}, and generation from any checkpoint by ids. */
class CheckpointCommandsTest {
  @TempDir Path tmp;

  @Test
  void aLlamaTrainsAndIsInspectedExportedAndReloaded() {
    Path run = tmp.resolve("llama");
    CliRun train = CliRun.of("llm", "train", "--data", "synthetic-text", "--arch", "llama", "--kv-heads", "1",
        "--layers", "1", "--heads", "2", "--embd", "16", "--block", "16", "--batch", "4", "--iters", "4", "--warmup",
        "1", "--eval-every", "2", "--eval-batches", "1", "--out", run.toString());
    assertEquals(0, train.exit(), train.err());
    CliRun inspect = CliRun.of("llm", "inspect", "--model", run.toString());
    assertEquals(0, inspect.exit(), inspect.err());
    assertTrue(inspect.out().contains("format: genai4j run") && inspect.out().contains("key/value heads: 1")
        && inspect.out().contains("positions: rotary") && inspect.out().contains("norm: rms"), inspect.out());

    Path hf = tmp.resolve("hf");
    CliRun export = CliRun.of("llm", "export", "--model", run.toString(), "--format", "hf", "--out", hf.toString());
    assertEquals(0, export.exit(), export.err());
    assertTrue(export.out().contains("LlamaForCausalLM") && export.out().contains("char tokenizer has no Hugging"
        + " Face form"), export.out());
    CliRun fromRun = CliRun.of("llm", "generate", "--model", run.toString(), "--prompt-ids", "1,2", "--tokens", "12",
        "--temperature", "0", "--print-ids");
    CliRun fromHf = CliRun.of("llm", "generate", "--model", hf.toString(), "--prompt-ids", "1,2", "--tokens", "12",
        "--temperature", "0", "--print-ids");
    assertEquals(0, fromHf.exit(), fromHf.err());
    assertEquals(fromRun.out(), fromHf.out(), "the exported folder generates the same ids");
    assertEquals(12, fromHf.out().trim().split(",").length, fromHf.out());

    CliRun again = CliRun.of("llm", "export", "--model", run.toString(), "--out", hf.toString());
    assertEquals(2, again.exit());
    assertTrue(again.err().contains("is not empty"), again.err());
    CliRun badArch = CliRun.of("llm", "train", "--data", "synthetic-text", "--arch", "mamba", "--out",
        tmp.resolve("x").toString());
    assertEquals(2, badArch.exit());
    assertTrue(badArch.err().contains("--arch must be gpt or llama, got 'mamba'"), badArch.err());
  }

  @Test
  void aModelHuggingFaceHasNoClassForIsNotExported() {
    Path run = tmp.resolve("sinusoidal");
    CliRun train = CliRun.of("llm", "train", "--data", "synthetic-text", "--positions", "SINUSOIDAL", "--layers", "1",
        "--heads", "2", "--embd", "16", "--block", "16", "--batch", "4", "--iters", "2", "--warmup", "1",
        "--eval-every", "2", "--eval-batches", "1", "--out", run.toString());
    assertEquals(0, train.exit(), train.err());
    CliRun export = CliRun.of("llm", "export", "--model", run.toString(), "--out", tmp.resolve("hf").toString());
    assertEquals(2, export.exit());
    assertTrue(export.err().contains("neither a GPT-2") && export.err().lines().count() <= 2, export.err());
  }

  @Test
  void stories260KGeneratesRunCsIdsFromTheCommandLine() throws Exception {
    Path dir = Path.of("").toAbsolutePath().getParent().getParent().resolve("shared/fixtures/llama2c-stories260K");
    assumeTrue(Files.isDirectory(dir), "skipped: no fixture at " + dir);
    var ref = new ObjectMapper().readTree(dir.resolve("reference.json").toFile());
    String want = StreamSupport.stream(ref.get("ids").spliterator(), false).map(n -> n.asText())
        .collect(Collectors.joining(","));
    CliRun r = CliRun.of("llm", "generate", "--model", dir.resolve("stories260K.bin").toString(), "--prompt-ids", "1",
        "--tokens", "80", "--temperature", "0", "--print-ids");
    assertEquals(0, r.exit(), r.err());
    assertEquals(want, r.out().trim());
    CliRun inspect = CliRun.of("llm", "inspect", "--model", dir.resolve("stories260K.bin").toString());
    assertTrue(inspect.out().contains("llama2.c checkpoint") && inspect.out().contains("pairs"), inspect.out());
    CliRun text = CliRun.of("llm", "generate", "--model", dir.resolve("stories260K.bin").toString(), "--prompt", "Once");
    assertEquals(2, text.exit());
    assertTrue(text.err().contains("--prompt-ids"), text.err());
  }
}
