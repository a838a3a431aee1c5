package org.genai4j.common.io;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.genai4j.common.ops.Tensor;

/**
 * The weights of a Hugging Face model folder: one {@code model.safetensors}, or the sharded form,
 * {@code model.safetensors.index.json} whose {@code weight_map} names the shard file of every
 * tensor ({@code model-00001-of-00002.safetensors}, ...). Each shard is opened (and its header
 * checked) once; tensors are read on demand from memory mappings.
 *
 * <p>The index is data too: a shard name that leaves the folder, a shard that is missing, a tensor
 * the index places in a shard that does not hold it, or a tensor in two shards gets a one-line
 * error naming the file.
 */
public final class SafetensorsFolder {
  /** The single-file form. */
  public static final String SINGLE = "model.safetensors";
  /** The sharded form's index. */
  public static final String INDEX = "model.safetensors.index.json";

  private final Path folder;
  private final Map<String, SafetensorsFile> fileOf;

  private SafetensorsFolder(Path folder, Map<String, SafetensorsFile> fileOf) {
    this.folder = folder;
    this.fileOf = fileOf;
  }

  /** Whether {@code folder} holds weights in either form. */
  public static boolean isIn(Path folder) {
    return Files.isRegularFile(folder.resolve(SINGLE)) || Files.isRegularFile(folder.resolve(INDEX));
  }

  /** Opens the weights of {@code folder}, sharded when it has an index. */
  public static SafetensorsFolder open(Path folder) {
    Path index = folder.resolve(INDEX);
    Map<String, SafetensorsFile> fileOf = new LinkedHashMap<>();
    if (!Files.isRegularFile(index)) {
      if (!Files.isRegularFile(folder.resolve(SINGLE))) {
        throw new IllegalArgumentException(folder + " has no " + SINGLE + " or " + INDEX);
      }
      SafetensorsFile file = SafetensorsFile.open(folder.resolve(SINGLE));
      file.entries().keySet().forEach(name -> fileOf.put(name, file));
      return new SafetensorsFolder(folder, Collections.unmodifiableMap(fileOf));
    }
    JsonNode root;
    try {
      if (Files.size(index) > 64L << 20) {
        throw new IllegalArgumentException(index + " is " + Files.size(index) + " bytes, more than an index needs");
      }
      root = Safetensors.JSON.readTree(index.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException(index + " is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
    }
    JsonNode map = root == null ? null : root.get("weight_map");
    if (map == null || !map.isObject() || map.isEmpty()) {
      throw new IllegalArgumentException(index + " has no \"weight_map\" object of tensor names to shard files");
    }
    Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
    for (var it = map.fields(); it.hasNext(); ) {
      var e = it.next();
      String shard = e.getValue().asText("");
      if (!e.getValue().isTextual() || !shard.endsWith(".safetensors") || shard.contains("/") || shard.contains("\\")
          || shard.startsWith(".")) {
        throw new IllegalArgumentException(index + ": tensor '" + e.getKey() + "' names shard '" + e.getValue()
            + "'; expected a .safetensors file name in the same folder");
      }
      SafetensorsFile file = shards.computeIfAbsent(shard, s -> SafetensorsFile.open(folder.resolve(s)));
      if (!file.contains(e.getKey())) {
        throw new IllegalArgumentException(index + " places tensor '" + e.getKey() + "' in " + shard
            + ", which does not hold it");
      }
      fileOf.put(e.getKey(), file);
    }
    for (var s : shards.entrySet()) {
      for (String name : s.getValue().entries().keySet()) {
        SafetensorsFile owner = fileOf.get(name);
        if (owner == null) {
          throw new IllegalArgumentException(index + " does not list tensor '" + name + "' of shard " + s.getKey());
        }
        if (owner != s.getValue()) {
          throw new IllegalArgumentException("tensor '" + name + "' is in two shards of " + folder + ": " + s.getKey()
              + " and " + owner.file().getFileName());
        }
      }
    }
    return new SafetensorsFolder(folder, Collections.unmodifiableMap(fileOf));
  }

  public Path folder() {
    return folder;
  }

  /** The tensors' names, in the file's (or index's) order. */
  public java.util.Set<String> names() {
    return fileOf.keySet();
  }

  public boolean contains(String name) {
    return fileOf.containsKey(name);
  }

  /** The header entry (dtype, shape) of tensor {@code name}. */
  public SafetensorsFile.Entry entry(String name) {
    return file(name).entries().get(name);
  }

  /** Tensor {@code name} as float, whatever its stored type. */
  public Tensor read(String name) {
    return file(name).read(name);
  }

  /** Reads tensor {@code name} into {@code target}, whose shape it must have, without an intermediate tensor. */
  public void readInto(String name, Tensor target) {
    file(name).readInto(name, target);
  }

  private SafetensorsFile file(String name) {
    SafetensorsFile f = fileOf.get(name);
    if (f == null) {
      throw new IllegalArgumentException(folder + " has no tensor '" + name + "'");
    }
    return f;
  }
}
