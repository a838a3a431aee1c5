package org.genai4j.samples;

import java.nio.file.Path;
import org.genai4j.samples.cli.ConfigFileDefaults;
import org.genai4j.samples.cli.FriendlyErrors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code genai4j} command: train, sample, evaluate and compare generative models.
 * Every option can also come from a JSON config file given with {@code --config}.
 */
@Command(
    name = "genai4j",
    mixinStandardHelpOptions = true,
    version = "genai4j 0.1.0",
    description = "Generative models on Deeplearning4j: a GPT, a DCGAN and VAEs.",
    subcommands = {CommandLine.HelpCommand.class})
public final class Genai4jCli {

  // Read before parsing (it supplies the defaults of every other option, see commandLine); declared
  // here, inherited by every subcommand, so that each command's help shows it and accepts it anywhere.
  @Option(names = "--config", paramLabel = "FILE", scope = ScopeType.INHERIT,
      description = "JSON file of option defaults: keys are option names without dashes, flat or nested by command,"
          + " e.g. {\"llm\":{\"train\":{\"layers\":4}}}; flags on the command line win over the file.")
  Path config;

  private Genai4jCli() {}

  /** Builds the command line with all subcommands, error handling and config-file defaults. */
  public static CommandLine commandLine(String... args) {
    CommandLine cmd = new CommandLine(new Genai4jCli());
    Subcommands.register(cmd);
    cmd.setCaseInsensitiveEnumValuesAllowed(true);
    cmd.setColorScheme(Help.defaultColorScheme(ansi()));
    Path config = ConfigFileDefaults.configArgument(args);
    if (config != null) {
      ConfigFileDefaults defaults = new ConfigFileDefaults(config);
      defaults.checkKeys(cmd);
      cmd.setDefaultValueProvider(defaults);
    }
    FriendlyErrors.install(cmd);
    showDefaults(cmd);
    return cmd;
  }

  /** Colours only on a terminal and never when NO_COLOR is set (https://no-color.org) or TERM is dumb. */
  private static Help.Ansi ansi() {
    boolean terminal = System.console() != null && System.getenv("NO_COLOR") == null
        && !"dumb".equals(System.getenv("TERM"));
    return terminal ? Help.Ansi.AUTO : Help.Ansi.OFF;
  }

  private static void showDefaults(CommandLine cmd) {
    cmd.getCommandSpec().usageMessage().showDefaultValues(true);
    cmd.getSubcommands().values().forEach(Genai4jCli::showDefaults);
  }

  public static void main(String[] args) {
    int code;
    try {
      code = commandLine(args).execute(args);
    } catch (IllegalArgumentException e) {
      System.err.println("genai4j: " + e.getMessage());
      code = 2;
    }
    System.exit(code);
  }
}
