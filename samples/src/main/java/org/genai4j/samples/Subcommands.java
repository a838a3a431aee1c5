package org.genai4j.samples;

import org.genai4j.samples.cli.DatasetsCommand;
import picocli.CommandLine;

/** The subcommands of {@code genai4j}, one per family plus demo and compare. */
final class Subcommands {
  private Subcommands() {}

  static void register(CommandLine cmd) {
    cmd.addSubcommand(new DatasetsCommand());
  }
}
