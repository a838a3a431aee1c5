package org.genai4j.samples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.genai4j.samples.Genai4jCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line: parsing, config files, friendly errors, and a tiny end-to-end run per family. */
class CliTest {

  @TempDir Path tmp;

  @Test
  void unknownDatasetIsAFriendlyError() {
    CliRun r = CliRun.of("llm", "train", "--data", "no-such-data", "--out", tmp.resolve("x").toString());
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("unknown dataset 'no-such-data'"), r.err());
    assertTrue(r.err().contains("tinyshakespeare"), "lists the known names: " + r.err());
    assertTrue(!r.err().contains("\tat "), "no stack trace: " + r.err());
  }

  @Test
  void missingModelIsAFriendlyError() {
    CliRun r = CliRun.of("vae", "sample", "--model", tmp.resolve("nothing-here").toString(), "--n", "4", "--grid",
        tmp.resolve("g.png").toString());
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("nothing-here"), r.err());
  }

  @Test
  void badFlagIsReported() {
    CliRun r = CliRun.of("gan", "train", "--data", "synthetic-shapes", "--out", "x", "--epochz", "2");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("--epochz"), r.err());
  }

  @Test
  void benchesPrintTheirWarmUpAndEndWithTheirRate() {
    CliRun vae = CliRun.of("vae", "bench", "--steps", "3", "--conv-steps", "1", "--warmup", "2", "--warmup-seconds",
        "0");
    assertEquals(0, vae.exit(), vae.err());
    assertTrue(vae.out().contains("warm-up 2 steps"), vae.out());
    assertTrue(vae.out().contains("median ms"), vae.out());
    assertTrue(Pattern.compile("(?m)^images_per_s=[0-9]+$").matcher(vae.out()).find(), vae.out());
    CliRun gan = CliRun.of("gan", "bench", "--steps", "2", "--warmup", "1", "--warmup-seconds", "0");
    assertEquals(0, gan.exit(), gan.err());
    assertTrue(gan.out().contains("sharded: warm-up 1 steps") || gan.out().contains("one thread: warm-up 1 steps"),
        gan.out());
    assertTrue(Pattern.compile("(?m)^images_per_s=[0-9.]+$").matcher(gan.out()).find(), gan.out());
  }

  @Test
  void negativeWarmUpSecondsIsAFriendlyError() {
    CliRun r = CliRun.of("gan", "bench", "--warmup-seconds", "-1");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("--warmup-seconds"), r.err());
    assertTrue(!r.err().contains("\tat "), "no stack trace: " + r.err());
  }

  @Test
  void configFileGivesDefaultsAndFlagsWin() throws Exception {
    Path config = tmp.resolve("run.json");
    Files.writeString(config, "{\"seed\": 7, \"llm\": {\"train\": {\"layers\": 2, \"heads\": 2}}}");
    String[] args = {"--config", config.toString(), "llm", "train", "--data", "synthetic-text", "--heads", "1",
        "--out", "x"};
    CommandLine cmd = Genai4jCli.commandLine(args);
    CommandLine.ParseResult parsed = cmd.parseArgs(args);
    LlmCommand.Train train = parsed.subcommand().subcommand().commandSpec().commandLine().getCommand();
    assertEquals(2, train.layers, "from the file, nested by command");
    assertEquals(1, train.heads, "the flag wins over the file");
    assertEquals(7, train.run.seed, "flat keys apply to every command");
  }

  @Test
  void brokenConfigFileNamesTheFile() throws Exception {
    Path config = tmp.resolve("broken.json");
    Files.writeString(config, "{not json");
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> Genai4jCli.commandLine("--config", config.toString(), "datasets"));
    assertTrue(e.getMessage().contains("broken.json"), e.getMessage());
  }

  @Test
  void llmTrainEvalGenerateEndToEnd() {
    Path model = tmp.resolve("gpt");
    CliRun train = CliRun.of("llm", "train", "--data", "synthetic-text", "--layers", "1", "--heads", "2", "--embd", "16",
        "--block", "16", "--batch", "4", "--iters", "30", "--warmup", "5", "--eval-every", "15", "--eval-batches", "2",
        "--out", model.toString());
    assertEquals(0, train.exit(), train.err());
    CliRun eval = CliRun.of("llm", "eval", "--model", model.toString(), "--data", "synthetic-text", "--batches", "3");
    assertEquals(0, eval.exit(), eval.err());
    String[] lines = eval.out().strip().split("\n");
    assertTrue(Pattern.matches("val_loss=[0-9.]+ ppl=[0-9.]+ bpc=[0-9.]+", lines[lines.length - 1].strip()),
        "last line: " + lines[lines.length - 1]);
    CliRun gen = CliRun.of("llm", "generate", "--model", model.toString(), "--prompt", "ab", "--tokens", "20", "--seed", "3");
    assertEquals(0, gen.exit(), gen.err());
    assertTrue(gen.out().startsWith("ab") && gen.out().strip().length() >= 2, gen.out());
    CliRun bad = CliRun.of("llm", "generate", "--model", model.toString(), "--prompt", "XYZ", "--tokens", "5");
    assertEquals(2, bad.exit());
    assertTrue(bad.err().contains("X"), "names the character outside the vocabulary: " + bad.err());
  }

  @Test
  void llmTrainsALlamaStyleBlockAndNamesABadFlag() {
    Path model = tmp.resolve("llama-style");
    CliRun train = CliRun.of("llm", "train", "--data", "synthetic-text", "--layers", "1", "--heads", "2", "--embd", "16",
        "--block", "16", "--batch", "4", "--iters", "6", "--warmup", "2", "--eval-every", "3", "--eval-batches", "2",
        "--norm", "rms", "--mlp", "swiglu", "--shards", "2", "--dropout", "0.1", "--out", model.toString());
    assertEquals(0, train.exit(), train.err());
    assertTrue(train.out().contains("steps=6 "), train.out());
    CliRun again = CliRun.of("llm", "train", "--data", "synthetic-text", "--out", model.toString(), "--iters", "3",
        "--warmup", "1");
    assertEquals(2, again.exit());
    assertTrue(again.err().contains("already holds a run"), again.err());
    CliRun bad = CliRun.of("llm", "train", "--data", "synthetic-text", "--mlp", "relu", "--out", tmp.resolve("x").toString());
    assertEquals(2, bad.exit());
    assertTrue(bad.err().contains("--mlp must be gelu or swiglu, got 'relu'"), bad.err());
  }

  @Test
  void theRunFolderOptionsOfTrain() throws Exception {
    Path model = tmp.resolve("run-folder");
    String[] tiny = {"llm", "train", "--data", "synthetic-text", "--layers", "1", "--heads", "2", "--embd", "16",
        "--block", "16", "--batch", "4", "--warmup", "1", "--eval-every", "0", "--eval-batches", "1",
        "--out", model.toString()};
    assertEquals(0, CliRun.of(concat(tiny, "--iters", "2")).exit());
    CliRun blank = CliRun.of("llm", "train", "--data", "synthetic-text", "--out", "");
    assertEquals(2, blank.exit());
    assertTrue(blank.err().contains("--out must name a folder") && blank.err().strip().lines().count() == 1,
        blank.err());
    CliRun changed = CliRun.of(concat(tiny, "--iters", "2", "--resume", "--lr", "0.002"));
    assertEquals(2, changed.exit());
    assertTrue(changed.err().contains("--resume: --lr changed from 0.001 to 0.002; pass --allow-change to accept"),
        changed.err());
    CliRun loose = CliRun.of(concat(tiny, "--iters", "2", "--allow-change"));
    assertTrue(loose.exit() == 2 && loose.err().contains("--allow-change goes with --resume"), loose.err());
    CliRun allowed = CliRun.of(concat(tiny, "--resume", "--allow-change", "--lr", "0.002", "--iters", "3"));
    assertEquals(0, allowed.exit(), allowed.err());
    assertTrue(allowed.out().contains("steps=3 "), allowed.out());
    String history = Files.readString(model.resolve("history.jsonl"));
    assertTrue(history.contains("\"option\":\"--lr\"") && history.contains("\"option\":\"--iters\""), history);
    CliRun overwritten = CliRun.of(concat(tiny, "--iters", "2", "--overwrite"));
    assertEquals(0, overwritten.exit(), overwritten.err());
    assertTrue(overwritten.out().contains("steps=2 ") && !Files.exists(model.resolve("history.jsonl")),
        overwritten.out());
  }

  private static String[] concat(String[] a, String... b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  @Test
  void vaeTrainEvalSampleEndToEnd() throws Exception {
    Path model = tmp.resolve("vae");
    CliRun train = CliRun.of("vae", "train", "--data", "synthetic-shapes", "--hidden", "32", "--latent", "2", "--epochs", "1",
        "--batch", "256", "--shards", "2", "--out", model.toString());
    assertEquals(0, train.exit(), train.err());
    assertTrue(train.out().contains("test: neg_elbo="), train.out());
    CliRun again = CliRun.of("vae", "train", "--data", "synthetic-shapes", "--epochs", "1", "--out", model.toString());
    assertEquals(2, again.exit());
    assertTrue(again.err().contains("already holds a run") && !again.err().contains("\tat "), again.err());
    CliRun eval = CliRun.of("vae", "eval", "--model", model.toString(), "--data", "synthetic-shapes", "--iw", "3");
    assertEquals(0, eval.exit(), eval.err());
    assertTrue(Pattern.compile("neg_elbo=[0-9.]+ nll_iw=[0-9.]+\\s*$").matcher(eval.out()).find(), eval.out());
    CliRun noSamples = CliRun.of("vae", "eval", "--model", model.toString(), "--data", "synthetic-shapes", "--iw", "0");
    assertEquals(2, noSamples.exit());
    assertTrue(noSamples.err().contains("--iw must be >= 1") && noSamples.err().strip().lines().count() == 1,
        "one line naming the flag: " + noSamples.err());
    Path idx = tmp.resolve("s.idx");
    CliRun sample = CliRun.of("vae", "sample", "--model", model.toString(), "--n", "10", "--out", idx.toString(), "--grid",
        tmp.resolve("g.png").toString());
    assertEquals(0, sample.exit(), sample.err());
    assertEquals(16 + 10 * 28 * 28, Files.size(idx), "IDX header + N x 28 x 28 bytes");
    assertTrue(Files.size(tmp.resolve("g.png")) > 100);
  }

  @Test
  void ganTrainSampleEndToEnd() throws Exception {
    Path model = tmp.resolve("gan");
    String[] train = {"gan", "train", "--data", "synthetic-shapes", "--features", "4", "--latent", "8", "--epochs", "1",
        "--batch", "256", "--shards", "2", "--out", model.toString()};
    CliRun trained = CliRun.of(train);
    assertEquals(0, trained.exit(), trained.err());
    assertTrue(Pattern.compile("steps=40 images_per_s=[0-9.]+").matcher(trained.out()).find(), trained.out());
    assertTrue(Files.isRegularFile(model.resolve("grid-epoch-001.png")) && Files.isRegularFile(model.resolve("grid.png")));
    Path idx = tmp.resolve("gan.idx");
    CliRun sample = CliRun.of("gan", "sample", "--model", model.toString(), "--n", "10", "--out", idx.toString());
    assertEquals(0, sample.exit(), sample.err());
    assertEquals(16 + 10 * 28 * 28, Files.size(idx), "IDX header + N x 28 x 28 bytes");
    CliRun nowhere = CliRun.of("gan", "sample", "--model", model.toString(), "--n", "10");
    assertEquals(2, nowhere.exit());
    assertTrue(nowhere.err().contains("--out") && nowhere.err().strip().lines().count() == 1, nowhere.err());
    CliRun again = CliRun.of(train);
    assertEquals(2, again.exit());
    assertTrue(again.err().contains("already holds a run"), again.err());
  }
}
