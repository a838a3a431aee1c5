package org.genai4j.samples.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.genai4j.common.util.JsonProblem;
import picocli.CommandLine;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Option defaults from a JSON file, so a run can be described once and repeated: keys are long
 * option names without dashes, either flat ({@code {"layers": 4}}) or nested by command ({@code
 * {"llm": {"train": {"layers": 4}}}}); the nested form wins. Flags on the command line still win
 * over the file.
 */
public final class ConfigFileDefaults implements IDefaultValueProvider {

  private final Path file;
  private final JsonNode root;

  public ConfigFileDefaults(Path file) {
    this.file = file;
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("config file not found: " + file.toAbsolutePath());
    }
    try {
      this.root = new ObjectMapper().readTree(file.toFile());
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(file + ": not valid JSON at " + JsonProblem.describe(e));
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": cannot read the config file: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("config file " + file + " must hold a JSON object");
    }
  }

  /**
   * Refuses a key that no option or subcommand has (a typo would otherwise be ignored), naming it,
   * where it is, and the nearest known key.
   */
  public void checkKeys(CommandLine root) {
    Set<String> everyOption = new TreeSet<>();
    collectOptions(root, everyOption);
    checkKeys(this.root, root, "", everyOption, true);
  }

  private void checkKeys(JsonNode node, CommandLine command, String where, Set<String> everyOption, boolean top) {
    Set<String> known = new TreeSet<>(top ? everyOption : optionKeys(command));
    known.addAll(command.getSubcommands().keySet());
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = e.getKey();
      CommandLine sub = command.getSubcommands().get(key);
      if (sub != null && e.getValue().isObject()) {
        checkKeys(e.getValue(), sub, where + key + ".", everyOption, false);
      } else if (!known.contains(key) || sub != null) {
        String hint = sub != null ? "; \"" + key + "\" is a command and takes an object of its options"
            : NearestWord.of(key, known).map(k -> "; did you mean \"" + k + "\"?").orElse("");
        throw new IllegalArgumentException(file.getFileName() + ": unknown key \"" + where + key + "\""
            + (where.isEmpty() ? "" : " (not an option of '" + command.getCommandSpec().qualifiedName() + "')") + hint);
      }
    }
  }

  private static void collectOptions(CommandLine command, Set<String> into) {
    into.addAll(optionKeys(command));
    command.getSubcommands().values().forEach(c -> collectOptions(c, into));
  }

  /** The keys a file may give for a command's options: long names without dashes. */
  private static Set<String> optionKeys(CommandLine command) {
    Set<String> keys = new TreeSet<>();
    for (OptionSpec o : command.getCommandSpec().options()) {
      if (!o.usageHelp() && !o.versionHelp()) {
        keys.add(o.longestName().replaceFirst("^-+", ""));
      }
    }
    return keys;
  }

  @Override
  public String defaultValue(ArgSpec arg) {
    if (!(arg instanceof OptionSpec option)) {
      return null;
    }
    String key = option.longestName().replaceFirst("^-+", "");
    JsonNode node = root;
    // The command path below the root command, e.g. ["llm", "train"].
    List<String> path = new ArrayList<>();
    for (var c = option.command(); c != null && c.parent() != null; c = c.parent()) {
      path.add(0, c.name());
    }
    for (String p : path) {
      node = node == null ? null : node.get(p);
    }
    JsonNode value = node == null ? null : node.get(key);
    if (value == null || value.isContainerNode()) {
      value = root.get(key);
    }
    if (value == null || value.isContainerNode() || value.isNull()) {
      return null;
    }
    return value.asText();
  }

  /** The path after {@code --config} (or in {@code --config=path}), or null. */
  public static Path configArgument(String[] args) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--config") && i + 1 < args.length) {
        return Path.of(args[i + 1]);
      }
      if (args[i].startsWith("--config=")) {
        return Path.of(args[i].substring("--config=".length()));
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return "ConfigFileDefaults[" + file + "]";
  }
}
