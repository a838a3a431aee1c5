package org.genai4j.samples.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
    } catch (IOException e) {
      throw new IllegalArgumentException("config file " + file + " is not valid JSON: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("config file " + file + " must hold a JSON object");
    }
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

  /** The arguments without {@code --config path}, which the root command consumes itself. */
  public static String[] withoutConfigArgument(String[] args) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--config") && i + 1 < args.length) {
        i++;
      } else if (!args[i].startsWith("--config=")) {
        out.add(args[i]);
      }
    }
    return out.toArray(String[]::new);
  }

  @Override
  public String toString() {
    return "ConfigFileDefaults[" + file + "]";
  }
}
