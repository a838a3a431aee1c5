package org.genai4j.llm.finetune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;
import org.genai4j.common.io.Safetensors;
import org.genai4j.common.io.SafetensorsFile;
import org.genai4j.common.ops.Param;
import org.genai4j.common.ops.Params;
import org.genai4j.common.ops.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What makes a run folder a LoRA run: {@code lora.json}, the adapters' settings and the {@link
 * BaseReference} of the model they adapt. Such a run stores only what trained (the adapters, and a
 * new task head), never the base's weights; loading it opens the base, checks it is unchanged, and
 * adds the adapters.
 *
 * @param config the adapters' rank, alpha and targets
 * @param base the model the adapters were trained on
 */
public record LoraRun(LoraConfig config, BaseReference base) {
  /** The file in the run folder. */
  public static final String FILE = "lora.json";
  /** The adapter-only weights of a run that has no checkpoints of its own (a classifier). */
  public static final String ADAPTERS = "adapter_model.safetensors";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Whether {@code dir} is a LoRA run. */
  public static boolean isIn(Path dir) {
    return Files.isRegularFile(dir.resolve(FILE));
  }

  /**
   * {@code lora.json}'s content for run folder {@code runDir}: the base's absolute path, and its
   * path relative to the run, which {@link #read} falls back on when the run and its base were
   * moved together.
   */
  public String toJson(Path runDir) {
    ObjectNode o = JSON.createObjectNode();
    o.put("rank", config.rank());
    o.put("alpha", config.alpha());
    o.put("targets", config.targetsText());
    ObjectNode b = base.toJson();
    try {
      b.put("relativePath", runDir.toAbsolutePath().normalize().relativize(base.path()).toString());
    } catch (IllegalArgumentException e) {
      // another root (a Windows drive): no relative path
    }
    o.set("base", b);
    return o.toPrettyString();
  }

  /** Reads {@code dir/lora.json}; a one-line error naming the file and the field that is wrong. */
  public static LoraRun read(Path dir) {
    Path file = dir.resolve(FILE);
    JsonNode o;
    try {
      o = JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException(file + " is not valid JSON: " + String.valueOf(e.getMessage()).lines()
          .findFirst().orElse(""));
    }
    if (o == null || !o.path("rank").canConvertToInt() || !o.path("alpha").isNumber() || !o.path("targets")
        .isTextual()) {
      throw new IllegalArgumentException(file + " needs \"rank\", \"alpha\", \"targets\" and \"base\"");
    }
    LoraConfig c;
    try {
      c = new LoraConfig(o.get("rank").asInt(), o.get("alpha").asDouble(), LoraConfig.parseTargets(
          o.get("targets").asText()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage());
    }
    BaseReference base = BaseReference.fromJson(o.get("base"), file);
    JsonNode relative = o.get("base").get("relativePath");
    if (!Files.exists(base.path()) && relative != null && relative.isTextual()) {
      try {
        Path moved = dir.toAbsolutePath().normalize().resolve(relative.asText()).normalize();
        if (Files.exists(moved)) {
          base = new BaseReference(moved, base.bytes(), base.sha256()); // its SHA-256 is still checked
        }
      } catch (java.nio.file.InvalidPathException e) {
        // not a path: the absolute one is reported missing
      }
    }
    return new LoraRun(c, base);
  }

  /**
   * Writes the parameters of {@code params} that {@code trained} selects (the adapters, a head) to
   * {@code file}, and nothing else.
   */
  public static void writeTrained(Path file, Params params, Predicate<String> trained) {
    Map<String, INDArray> weights = new LinkedHashMap<>();
    for (Param p : params.list()) {
      if (trained.test(p.name())) {
        weights.put(p.name(), p.value().array());
      }
    }
    Safetensors.write(file, weights, Map.of("format", "pt"));
  }

  /**
   * Copies the base's weights into the model's parameters of the same name, checking shapes: the
   * run's configuration must be the base's. Returns how many were copied.
   */
  public static int copyBase(Params base, Params model, Path run) {
    int n = 0;
    for (Param p : model.list()) {
      Param b = base.byName().get(p.name());
      if (b == null) {
        continue;
      }
      if (!java.util.Arrays.equals(b.shape(), p.shape())) {
        throw new IllegalArgumentException("the base model's " + p.name() + " is " + java.util.Arrays.toString(
            b.shape()) + " but LoRA run " + run + " expects " + java.util.Arrays.toString(p.shape()));
      }
      Tensor src = b.value();
      p.value().copyFrom(src);
      n++;
    }
    return n;
  }

  /** Reads every parameter {@code trained} selects from {@code file}; a one-line error naming a missing one. */
  public static void readTrained(Path file, Params params, Predicate<String> trained) {
    SafetensorsFile f = SafetensorsFile.open(file);
    for (Param p : params.list()) {
      if (trained.test(p.name())) {
        f.readInto(p.name(), p.value());
      }
    }
  }
}
