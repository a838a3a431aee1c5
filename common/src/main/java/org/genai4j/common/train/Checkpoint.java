package org.genai4j.common.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.genai4j.common.util.AtomicFile;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A saved training run: every group's parameters, buffers and optimizer state, the step, the
 * seed (from which the trainer derives all random state per step) and the model configuration.
 * Stored as a zip of ND4J binary arrays plus {@code meta.json}; written to a temporary file and
 * atomically moved into place so an interrupted save never destroys the previous checkpoint.
 *
 * @param arrays arrays by key {@code <group>/<kind>/<name>}, kind one of {@code param}, {@code
 *     buffer}, {@code optim}
 * @param values extra scalars (e.g. the best validation loss so far)
 */
public record Checkpoint(
    long step, long seed, String configJson, Map<String, Double> values, Map<String, INDArray> arrays) {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String META = "meta.json";
  private static final int FORMAT = 1;

  /** The arrays of one group and kind ({@code param}, {@code buffer} or {@code optim}) by name. */
  public Map<String, INDArray> arrays(String group, String kind) {
    String prefix = group + "/" + kind + "/";
    Map<String, INDArray> out = new LinkedHashMap<>();
    for (var e : arrays.entrySet()) {
      if (e.getKey().startsWith(prefix)) {
        out.put(e.getKey().substring(prefix.length()), e.getValue());
      }
    }
    return out;
  }

  /** Captures a model's parameters and buffers (and optimizer states when given). */
  public static Checkpoint of(
      Trainable model, Map<String, Optimizer> optimizers, long step, long seed, Map<String, Double> values) {
    Map<String, INDArray> arrays = new LinkedHashMap<>();
    for (ParameterGroup g : model.parameterGroups()) {
      g.parameters().forEach((k, v) -> arrays.put(g.name() + "/param/" + k, v));
      g.buffers().forEach((k, v) -> arrays.put(g.name() + "/buffer/" + k, v));
      Optimizer opt = optimizers == null ? null : optimizers.get(g.name());
      if (opt != null) {
        opt.state().forEach((k, v) -> arrays.put(g.name() + "/optim/" + k, v));
      }
    }
    return new Checkpoint(step, seed, model.configJson(), Map.copyOf(values), arrays);
  }

  /**
   * Copies this checkpoint's parameters and buffers into {@code model}'s live arrays; fails with
   * the name and shapes of the first array that does not fit.
   */
  public void restoreInto(Trainable model) {
    for (ParameterGroup g : model.parameterGroups()) {
      copyInto(g.name(), "param", g.parameters());
      copyInto(g.name(), "buffer", g.buffers());
    }
  }

  private void copyInto(String group, String kind, Map<String, INDArray> live) {
    Map<String, INDArray> saved = arrays(group, kind);
    for (var e : live.entrySet()) {
      INDArray s = saved.get(e.getKey());
      if (s == null) {
        throw new IllegalArgumentException("checkpoint has no " + kind + " '" + group + "/" + e.getKey()
            + "'; it holds " + new TreeMap<>(saved).keySet());
      }
      if (!java.util.Arrays.equals(s.shape(), e.getValue().shape())) {
        throw new IllegalArgumentException("checkpoint " + kind + " '" + group + "/" + e.getKey()
            + "' has shape " + java.util.Arrays.toString(s.shape()) + " but the model expects "
            + java.util.Arrays.toString(e.getValue().shape()) + " (was it saved with another config?)");
      }
      e.getValue().assign(s.castTo(e.getValue().dataType()));
    }
  }

  /** Writes atomically: a temporary file in the same folder, then a move over {@code file}. */
  public void write(Path file) {
    AtomicFile.write(file, "checkpoint", tmp -> {
      try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(tmp));
          ZipOutputStream zip = new ZipOutputStream(os)) {
        ObjectNode meta = JSON.createObjectNode();
        meta.put("format", FORMAT);
        meta.put("step", step);
        meta.put("seed", seed);
        meta.put("config", configJson);
        ObjectNode vals = meta.putObject("values");
        values.forEach(vals::put);
        zip.putNextEntry(new ZipEntry(META));
        zip.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(meta));
        zip.closeEntry();
        for (var e : arrays.entrySet()) {
          zip.putNextEntry(new ZipEntry("arrays/" + e.getKey()));
          DataOutputStream dos = new DataOutputStream(zip);
          Nd4j.write(e.getValue(), dos);
          dos.flush();
          zip.closeEntry();
        }
      }
    });
  }


  /** Reads a checkpoint written by {@link #write}; a clear error for a missing or foreign file. */
  public static Checkpoint read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("checkpoint file not found: " + file.toAbsolutePath());
    }
    Map<String, INDArray> arrays = new LinkedHashMap<>();
    ObjectNode meta = null;
    try (InputStream is = new BufferedInputStream(Files.newInputStream(file));
        ZipInputStream zip = new ZipInputStream(is)) {
      for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
        if (e.getName().equals(META)) {
          meta = (ObjectNode) JSON.readTree(new String(zip.readAllBytes(), StandardCharsets.UTF_8));
        } else if (e.getName().startsWith("arrays/")) {
          arrays.put(e.getName().substring("arrays/".length()), Nd4j.read(new DataInputStream(zip)));
        }
      }
    } catch (ZipException | NoSuchFileException e) {
      throw new IllegalArgumentException("not a genai4j checkpoint (not a zip): " + file, e);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("corrupt genai4j checkpoint " + file + ": " + e.getMessage(), e);
    }
    if (meta == null || !meta.has("format")) {
      throw new IllegalArgumentException("not a genai4j checkpoint (no meta.json): " + file);
    }
    if (meta.get("format").asInt() != FORMAT) {
      throw new IllegalArgumentException("checkpoint " + file + " has format " + meta.get("format")
          + "; this version reads format " + FORMAT);
    }
    Map<String, Double> values = new LinkedHashMap<>();
    meta.path("values").fields().forEachRemaining(f -> values.put(f.getKey(), f.getValue().asDouble()));
    return new Checkpoint(meta.get("step").asLong(), meta.get("seed").asLong(),
        meta.get("config").asText(), values, arrays);
  }
}
