package org.genai4j.samples;

import org.genai4j.samples.cli.CompareCommand;
import org.genai4j.samples.cli.DatasetsCommand;
import org.genai4j.samples.cli.DemoCommand;
import org.genai4j.samples.cli.GanCommand;
import org.genai4j.samples.cli.LlmCommand;
import org.genai4j.samples.cli.TutorialCommand;
import org.genai4j.samples.cli.VaeCommand;
import picocli.CommandLine;

/** The subcommands of {@code genai4j}, one per family plus demo, compare and datasets. */
final class Subcommands {
  private Subcommands() {}

  static void register(CommandLine cmd) {
    cmd.addSubcommand(new DemoCommand());
    cmd.addSubcommand(new CompareCommand());
    cmd.addSubcommand(new LlmCommand());
    cmd.addSubcommand(new GanCommand());
    cmd.addSubcommand(new VaeCommand());
    cmd.addSubcommand(new DatasetsCommand());
    cmd.addSubcommand(new TutorialCommand());
  }
}
