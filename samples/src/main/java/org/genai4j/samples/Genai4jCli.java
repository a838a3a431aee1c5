package org.genai4j.samples;

import java.nio.file.Path;
import org.genai4j.samples.cli.ConfigFileDefaults;
import org.genai4j.samples.cli.FriendlyErrors;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code genai4j} command: train, sample, evaluate and compare generative models.
 * Every option can also come from a JSON config file given with {@code --config}.
 */
@Command(
    name = "genai4j",
    mixinStandardHelpOptions = true,
    version = "genai4j 0.1.0",
    description = "Generative models on Deeplearning4j: a GPT, a DCGAN and VAEs.",
    subcommands = {CommandLine.HelpCommand.class},
    footer = {"", "Options may also come from a JSON file: --config run.json "
        + "(keys are option names without dashes, flat or nested by command, e.g. {\"llm\":{\"train\":{\"layers\":4}}})."})
public final class Genai4jCli {

  private Genai4jCli() {}

  /** Builds the command line with all subcommands, error handling and config-file defaults. */
  public static CommandLine commandLine(String... args) {
    CommandLine cmd = new CommandLine(new Genai4jCli());
    Subcommands.register(cmd);
    Path config = ConfigFileDefaults.configArgument(args);
    if (config != null) {
      cmd.setDefaultValueProvider(new ConfigFileDefaults(config));
    }
    FriendlyErrors.install(cmd);
    showDefaults(cmd);
    return cmd;
  }

  private static void showDefaults(CommandLine cmd) {
    cmd.getCommandSpec().usageMessage().showDefaultValues(true);
    cmd.getSubcommands().values().forEach(Genai4jCli::showDefaults);
  }

  public static void main(String[] args) {
    int code;
    try {
      code = commandLine(args).execute(ConfigFileDefaults.withoutConfigArgument(args));
    } catch (IllegalArgumentException e) {
      System.err.println("genai4j: " + e.getMessage());
      code = 2;
    }
    System.exit(code);
  }
}
