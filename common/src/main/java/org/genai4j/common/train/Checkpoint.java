package org.genai4j.common.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.genai4j.common.io.Safetensors;
import org.genai4j.common.io.SafetensorsFile;
import org.genai4j.common.util.AtomicFile;
import org.genai4j.common.util.FileTrees;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A saved training run, as a folder that anyone with PyTorch can open:
 *
 * <pre>
 *   model.safetensors      every group's parameters and buffers, F32 (F64 for a DOUBLE model), by
 *                          the model's names
 *   optimizer.safetensors  the optimizer state, {@code <param>.exp_avg}, {@code .exp_avg_sq}
 *                          (Adam) or {@code .momentum_buffer} (SGD), as PyTorch names them
 *   trainer.json           format, step, seed, extra values (the best metric so far), and the
 *                          model's configuration
 * </pre>
 *
 * The folder is written beside its place and swapped in, so an interrupted save leaves the
 * previous checkpoint whole ({@link #write}).
 *
 * @param model parameters and buffers by name
 * @param optimizer optimizer state by name ({@code <param>.<state>})
 * @param values extra scalars (e.g. the best validation loss so far)
 */
public record Checkpoint(long step, long seed, String configJson, Map<String, Double> values,
    Map<String, INDArray> model, Map<String, INDArray> optimizer) {

  public static final String MODEL = "model.safetensors";
  public static final String OPTIMIZER = "optimizer.safetensors";
  public static final String TRAINER = "trainer.json";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int FORMAT = 2;

  /** Captures a model's parameters and buffers (and optimizer states when given). */
  public static Checkpoint of(
      Trainable model, Map<String, Optimizer> optimizers, long step, long seed, Map<String, Double> values) {
    Map<String, INDArray> arrays = new LinkedHashMap<>();
    Map<String, INDArray> optim = new LinkedHashMap<>();
    for (ParameterGroup g : model.parameterGroups()) {
      g.parameters().forEach((k, v) -> putUnique(arrays, k, v, g));
      g.buffers().forEach((k, v) -> putUnique(arrays, k, v, g));
      Optimizer opt = optimizers == null ? null : optimizers.get(g.name());
      if (opt != null) {
        opt.namedState().forEach((k, v) -> putUnique(optim, k, v, g));
      }
    }
    return new Checkpoint(step, seed, model.configJson(), Map.copyOf(values), arrays, optim);
  }

  private static void putUnique(Map<String, INDArray> m, String name, INDArray a, ParameterGroup g) {
    if (m.put(name, a) != null) {
      throw new IllegalStateException("the name '" + name + "' occurs twice in the model (group '" + g.name()
          + "'); a checkpoint needs unique names");
    }
  }

  /**
   * Copies this checkpoint's parameters and buffers into {@code model}'s live arrays; fails with
   * the name and shapes of the first array that is missing or does not fit.
   */
  public void restoreInto(Trainable model) {
    for (ParameterGroup g : model.parameterGroups()) {
      copyInto("parameter", g.parameters());
      copyInto("buffer", g.buffers());
    }
  }

  /** The values (parameters and buffers) the checkpoint holds, for {@link org.genai4j.common.ops.Params#forLoading(long)}. */
  public long modelValues() {
    return model.values().stream().mapToLong(INDArray::length).sum();
  }

  /** Loads this checkpoint's optimizer state into {@code optimizer}. */
  public void restoreInto(Optimizer opt) {
    opt.loadNamedState(optimizer);
  }

  private void copyInto(String kind, Map<String, INDArray> live) {
    for (var e : live.entrySet()) {
      INDArray s = model.get(e.getKey());
      if (s == null) {
        throw new IllegalArgumentException("checkpoint has no " + kind + " '" + e.getKey() + "'; it holds "
            + new TreeMap<>(model).keySet());
      }
      if (!java.util.Arrays.equals(s.shape(), e.getValue().shape())) {
        throw new IllegalArgumentException("checkpoint " + kind + " '" + e.getKey() + "' has shape "
            + java.util.Arrays.toString(s.shape()) + " but the model expects "
            + java.util.Arrays.toString(e.getValue().shape()) + " (was it saved with another config?)");
      }
      e.getValue().assign(s.castTo(e.getValue().dataType()));
    }
  }

  /**
   * Writes the checkpoint folder {@code dir} so that it is never half written: the files go to a
   * fresh folder beside it, which then takes {@code dir}'s place (the previous one moved aside to
   * {@code <dir>.old} for the moment of the swap, where {@link #read} also looks).
   */
  public void write(Path dir) {
    Path abs = dir.toAbsolutePath();
    Path parent = abs.getParent();
    String name = abs.getFileName().toString();
    try {
      Files.createDirectories(parent);
      Path tmp = Files.createTempDirectory(parent, name + ".tmp-");
      try {
        Safetensors.write(tmp.resolve(MODEL), model, Map.of("format", "genai4j"));
        Safetensors.write(tmp.resolve(OPTIMIZER), optimizer, Map.of("format", "genai4j"));
        ObjectNode meta = JSON.createObjectNode();
        meta.put("format", FORMAT);
        meta.put("step", step);
        meta.put("seed", seed);
        ObjectNode vals = meta.putObject("values");
        values.forEach(vals::put);
        meta.set("config", configNode());
        Path trainer = tmp.resolve(TRAINER);
        AtomicFile.write(trainer, "checkpoint metadata", f -> Files.write(f,
            JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(meta)));
        Path old = parent.resolve(name + ".old");
        FileTrees.delete(old);
        if (Files.exists(abs)) {
          Files.move(abs, old);
        }
        Files.move(tmp, abs);
        FileTrees.delete(old);
      } finally {
        FileTrees.delete(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not write checkpoint " + dir + ": " + e.getMessage(), e);
    }
  }

  private JsonNode configNode() throws IOException {
    try {
      return JSON.readTree(configJson);
    } catch (IOException e) {
      return JSON.getNodeFactory().textNode(configJson);
    }
  }

  /** True when {@code dir} (or, after an interrupted swap, {@code <dir>.old}) holds a checkpoint. */
  public static boolean exists(Path dir) {
    return Files.isRegularFile(dir.resolve(TRAINER)) || Files.isRegularFile(aside(dir).resolve(TRAINER));
  }

  /** The step of the checkpoint in {@code dir}, read from its {@code trainer.json} only. */
  public static long readStep(Path dir) {
    return meta(folder(dir)).get("step").asLong();
  }

  private static Path folder(Path dir) {
    Path d = dir;
    if (!Files.isRegularFile(d.resolve(TRAINER)) && Files.isRegularFile(aside(dir).resolve(TRAINER))) {
      d = aside(dir); // a save was interrupted during its swap: the previous checkpoint is whole here
    }
    if (Files.isRegularFile(d) ) {
      throw new IllegalArgumentException(d + " is a file, not a checkpoint folder (checkpoints of genai4j before"
          + " version 0.2 were zip files; retrain to get a checkpoint this version reads)");
    }
    if (!Files.isRegularFile(d.resolve(TRAINER))) {
      throw new IllegalArgumentException("no checkpoint at " + d.toAbsolutePath() + " (expected " + TRAINER + ", "
          + MODEL + " and " + OPTIMIZER + " there)");
    }
    return d;
  }

  private static JsonNode meta(Path d) {
    JsonNode meta;
    try {
      meta = JSON.readTree(d.resolve(TRAINER).toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException("corrupt checkpoint " + d.resolve(TRAINER) + ": "
          + e.getMessage().lines().findFirst().orElse(""));
    }
    if (meta == null || !meta.path("format").canConvertToInt() || meta.path("format").asInt() != FORMAT
        || !meta.path("step").canConvertToLong()) {
      throw new IllegalArgumentException("checkpoint " + d.resolve(TRAINER) + " is not of format " + FORMAT
          + " (written by another genai4j version?)");
    }
    return meta;
  }

  /** Reads a checkpoint folder written by {@link #write}; a one-line error for a missing or foreign one. */
  public static Checkpoint read(Path dir) {
    Path d = folder(dir);
    JsonNode meta = meta(d);
    Map<String, Double> values = new LinkedHashMap<>();
    meta.path("values").fields().forEachRemaining(f -> values.put(f.getKey(), f.getValue().asDouble()));
    JsonNode config = meta.path("config");
    String configJson = config.isTextual() ? config.asText() : config.toString();
    return new Checkpoint(meta.get("step").asLong(), meta.path("seed").asLong(), configJson, values,
        readAll(d.resolve(MODEL)), readAll(d.resolve(OPTIMIZER)));
  }

  private static Map<String, INDArray> readAll(Path file) {
    SafetensorsFile f = SafetensorsFile.open(file);
    Map<String, INDArray> m = new LinkedHashMap<>();
    for (String name : f.entries().keySet()) {
      m.put(name, f.readArray(name));
    }
    return m;
  }

  private static Path aside(Path dir) {
    Path abs = dir.toAbsolutePath();
    return abs.resolveSibling(abs.getFileName() + ".old");
  }
}
