package org.genai4j.samples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.genai4j.llm.model.PositionalEncoding;
import org.genai4j.vae.VaeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.genai4j.samples.Genai4jCli;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every mistake on the command line gets one short answer in the CLI's own words: flags, not
 * fields; no page of usage; no stack trace. Each case runs no training.
 */
@Timeout(120) // each case is refused before any training; a case that trains fails instead of taking minutes
class CliErrorsTest {

  @TempDir Path tmp;

  private static <T> T parse(String... args) {
    CommandLine.ParseResult r = Genai4jCli.commandLine(args).parseArgs(args);
    while (r.hasSubcommand()) {
      r = r.subcommand();
    }
    return r.commandSpec().commandLine().getCommand();
  }

  private static List<CommandLine> allCommands(CommandLine c) {
    List<CommandLine> all = new ArrayList<>(List.of(c));
    c.getSubcommands().values().forEach(s -> all.addAll(allCommands(s)));
    return all;
  }

  @Test
  void aTypoInAFlagIsOneLineWithTheNearestFlagAndWhereHelpIs() {
    CliRun r = CliRun.of("gan", "train", "--data", "synthetic-shapes", "--out", tmp.resolve("x").toString(), "--epochz", "2");
    r.isShortError();
    assertTrue(r.err().contains("'--epochz'") && r.err().contains("did you mean --epochs"), r.err());
    assertTrue(r.err().contains("see 'genai4j gan train --help'"), r.err());
  }

  @Test
  void aBadValueIsOneLineNamingTheFlag() {
    CliRun r = CliRun.of("llm", "train", "--data", "synthetic-text", "--out", tmp.resolve("x").toString(), "--layers", "four");
    r.isShortError();
    assertTrue(r.err().contains("--layers") && r.err().contains("four"), r.err());
    CliRun e = CliRun.of("llm", "train", "--data", "synthetic-text", "--out", tmp.resolve("x").toString(), "--positions", "alibi");
    e.isShortError();
    assertTrue(e.err().contains("--positions") && e.err().contains("alibi"), e.err());
  }

  @Test
  void aMissingRequiredOptionIsOneLine() {
    CliRun r = CliRun.of("vae", "train", "--data", "synthetic-shapes");
    r.isShortError();
    assertTrue(r.err().contains("--out"), r.err());
  }

  @Test
  void enumAndWordValuesTakeAnyCase() {
    LlmCommand.Train llm = parse("llm", "train", "--data", "synthetic-text", "--out", "x", "--positions", "sinusoidal",
        "--tokenizer", "BPE");
    assertEquals(PositionalEncoding.SINUSOIDAL, llm.positions);
    assertEquals("bpe", llm.tokenizer);
    VaeCommand.Train vae = parse("vae", "train", "--data", "synthetic-shapes", "--out", "x", "--arch", "Conv",
        "--likelihood", "gaussian_fixed");
    assertEquals("conv", vae.arch);
    assertEquals(VaeConfig.Likelihood.GAUSSIAN_FIXED, vae.likelihood);
    LlmCommand.Eval eval = parse("llm", "eval", "--data", "synthetic-text", "--model", "m", "--split", "VAL");
    assertEquals("val", eval.split);
  }

  @Test
  void everyOptionOfEveryCommandHasADescriptionAndEveryHelpShowsConfig() {
    List<String> undescribed = new ArrayList<>();
    for (CommandLine c : allCommands(Genai4jCli.commandLine())) {
      for (OptionSpec o : c.getCommandSpec().options()) {
        if (o.description().length == 0 || o.description()[0].isBlank()) {
          undescribed.add(c.getCommandSpec().qualifiedName() + " " + o.longestName());
        }
      }
      if (c.getCommandSpec().userObject() instanceof CommandLine.HelpCommand) {
        continue;
      }
      String help = c.getUsageMessage();
      assertTrue(help.contains("--config"), c.getCommandSpec().qualifiedName() + " help lacks --config:\n" + help);
      assertFalse(help.contains("\u001b["), "no colour codes off a terminal");
    }
    assertEquals(List.of(), undescribed, "options without a description");
  }

  @Test
  void everyFlagTheTranslatorNamesExists() {
    TreeSet<String> flags = new TreeSet<>();
    allCommands(Genai4jCli.commandLine()).forEach(c -> c.getCommandSpec().options().forEach(o -> flags.add(o.longestName())));
    for (Map<String, String> fields : FlagNames.all().values()) {
      for (String flag : fields.values()) {
        assertTrue(flags.contains(flag), flag + " is not an option of any command");
      }
    }
  }

  @Test
  void libraryValidationSpeaksInFlags() {
    CliRun heads = CliRun.of("llm", "train", "--data", "synthetic-text", "--out", tmp.resolve("r").toString(), "--heads", "3");
    heads.isShortError();
    assertTrue(heads.err().contains("--embd 128 is not divisible by --heads 3"), heads.err());
    CliRun lr = CliRun.of("llm", "train", "--data", "synthetic-text", "--out", tmp.resolve("r").toString(), "--lr", "1e-4",
        "--min-lr", "1e-3");
    lr.isShortError();
    assertTrue(lr.err().contains("--min-lr must be in [0, --lr]"), lr.err());
    assertFalse(lr.err().contains("minLr"), lr.err());
    assertFalse(Files.exists(tmp.resolve("r")), "nothing written for a refused run");
  }

  @Test
  void translationLeavesFlagsAndPathsAlone() {
    assertEquals("--iters (50) must be >= --warmup (100)", FlagNames.translate("lrDecayIters (50) must be >= warmup (100)",
        "GptTrainOptions", FlagNames.all().get("GptTrainOptions")));
    assertEquals("--latent must be in [1, 4096], got 0", FlagNames.translate(
        "DcganConfig.latentSize must be in [1, 4096], got 0", "DcganConfig", FlagNames.all().get("DcganConfig")));
    assertEquals("cannot read /runs/lr/warmup: --lr", FlagNames.translate("cannot read /runs/lr/warmup: lr",
        "GptTrainOptions", FlagNames.all().get("GptTrainOptions")));
  }

  @Test
  void aDatasetOfTheWrongKindIsNamed() {
    CliRun r = CliRun.of("llm", "train", "--data", "synthetic-shapes", "--out", tmp.resolve("r").toString());
    r.isShortError();
    assertTrue(r.err().contains("--data synthetic-shapes is an image dataset; this command needs a text dataset"),
        r.err());
    assertFalse(r.err().contains("Datasets."), "no method names: " + r.err());
  }

  @Test
  void vaeEvalWithoutImportanceSamplesIsAnError() {
    for (String iw : new String[] {"0", "-3"}) {
      CliRun r = CliRun.of("vae", "eval", "--model", tmp.resolve("none").toString(), "--data", "synthetic-shapes", "--iw", iw);
      r.isShortError();
      assertTrue(r.err().contains("--iw must be >= 1"), r.err());
    }
  }

  @Test
  void sampleCommandsRefuseToWriteNothing() {
    for (String family : new String[] {"gan", "vae"}) {
      CliRun r = CliRun.of(family, "sample", "--model", tmp.resolve("none").toString(), "--n", "4");
      r.isShortError();
      assertTrue(r.err().contains("nothing to write: give --out FILE (IDX images), --grid PNG"), r.err());
    }
  }

  @Test
  void aBatchLargerThanTheTrainingSetIsRefused() {
    CliRun r = CliRun.of("vae", "train", "--data", "synthetic-shapes", "--batch", "20000", "--out", tmp.resolve("r").toString());
    r.isShortError();
    assertTrue(r.err().contains("--batch 20000 is larger than the 10000 training images of synthetic-shapes"), r.err());
  }

  @Test
  void aModelTooLargeForMemoryIsRefusedBeforeAllocation() {
    CliRun r = CliRun.of("llm", "train", "--data", "synthetic-text", "--embd", "1000000", "--out", tmp.resolve("r").toString());
    r.isShortError();
    assertTrue(r.err().matches("(?s).*parameters and needs at least [0-9.]+ [TPE]B to train .*the memory limit is .*"),
        r.err());
  }

  @Test
  void aVaeTooLargeForMemoryIsRefusedNamingItsLayer() {
    CliRun r = CliRun.of("vae", "train", "--data", "synthetic-shapes", "--hidden", "2000000000", "--out",
        tmp.resolve("r").toString());
    r.isShortError();
    assertTrue(r.err().matches("(?s).*parameter '.*' \\[.*2000000000.*\\] brings the model to .* parameters, which need"
        + " at least [0-9.]+ [TPE]B .*the memory limit is .*"), r.err());
  }

  @Test
  void validationOfVaeAndGenerationOptionsSpeaksInFlags() {
    CliRun r = CliRun.of("vae", "train", "--data", "synthetic-shapes", "--latent", "0", "--out", tmp.resolve("r").toString());
    r.isShortError();
    assertTrue(r.err().contains("--latent must be >= 1, got 0"), r.err());
    IllegalArgumentException topK = assertThrows(IllegalArgumentException.class,
        () -> org.genai4j.llm.generate.GenerationOptions.defaults().withTopK(-1));
    assertEquals("--top-k must be >= 0 (0 = off), got -1", FlagNames.translate(topK));
  }

  @Test
  void anUnknownConfigKeyIsNamedWithTheNearestKey() throws Exception {
    Path flat = tmp.resolve("run.json");
    Files.writeString(flat, "{\"seed\": 3, \"itres\": 10}");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Genai4jCli.commandLine("--config", flat.toString(), "llm", "train"));
    assertEquals("run.json: unknown key \"itres\"; did you mean \"iters\"?", e.getMessage());

    Path nested = tmp.resolve("nested.json");
    Files.writeString(nested, "{\"llm\": {\"train\": {\"layres\": 2}}}");
    e = assertThrows(IllegalArgumentException.class, () -> Genai4jCli.commandLine("--config", nested.toString()));
    assertEquals("nested.json: unknown key \"llm.train.layres\" (not an option of 'genai4j llm train');"
        + " did you mean \"layers\"?", e.getMessage());

    Path misplaced = tmp.resolve("misplaced.json");
    Files.writeString(misplaced, "{\"gan\": {\"train\": {\"heads\": 2}}}");
    e = assertThrows(IllegalArgumentException.class, () -> Genai4jCli.commandLine("--config", misplaced.toString()));
    assertTrue(e.getMessage().contains("unknown key \"gan.train.heads\" (not an option of 'genai4j gan train')"),
        e.getMessage());
  }

  @Test
  void badJsonInAConfigIsOneLineWithLineAndColumn() throws Exception {
    Path config = tmp.resolve("broken.json");
    Files.writeString(config, "{\n  \"seed\": 3,\n  lr: 1\n}");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Genai4jCli.commandLine("--config", config.toString(), "llm", "train"));
    assertTrue(e.getMessage().startsWith(config + ": not valid JSON at line 3, column 3: "), e.getMessage());
    assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    assertFalse(e.getMessage().contains("code 108") || e.getMessage().contains("Source:"), e.getMessage());
  }

  @Test
  void configIsAcceptedAfterTheSubcommandToo() throws Exception {
    Path config = tmp.resolve("run.json");
    Files.writeString(config, "{\"layers\": 2}");
    LlmCommand.Train t = parse("llm", "train", "--data", "synthetic-text", "--out", "x", "--config", config.toString());
    assertEquals(2, t.layers);
  }
}
