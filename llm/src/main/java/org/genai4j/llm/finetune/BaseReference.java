package org.genai4j.llm.finetune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;
import org.genai4j.common.io.SafetensorsFolder;
import org.genai4j.common.train.Checkpoint;
import org.genai4j.common.train.RunDir;
import org.genai4j.llm.LlmModel;
import org.genai4j.llm.checkpoint.HuggingFaceCheckpoint;
import org.genai4j.llm.checkpoint.Llama2cCheckpoint;

/**
 * The base model a LoRA run builds on, by path and by the content of its weight files (their total
 * size and SHA-256), so that the run stores only its adapters and still notices, with a one-line
 * error, a base that was moved, deleted or changed (e.g. trained further) since.
 *
 * @param path the model as {@link LlmModel#open} takes it, absolute
 * @param bytes the total size of its weight files
 * @param sha256 the SHA-256 of its weight files, one after the other in name order, in hex
 */
public record BaseReference(Path path, long bytes, String sha256) {

  /** The reference to the model at {@code model} as it is now (reads its weight files once). */
  public static BaseReference of(Path model) {
    Path abs = model.toAbsolutePath().normalize();
    List<Path> files = weightFiles(abs);
    return new BaseReference(abs, size(files), digest(files));
  }

  /**
   * Opens the base model after checking that its weights are the ones the run was trained on;
   * {@code run} names the run in the error.
   */
  public LlmModel open(Path run) {
    if (!Files.exists(path)) {
      throw new IllegalArgumentException("the base model " + path + " of LoRA run " + run + " is missing; the run"
          + " stores only its adapters, so put the base back there (or merge the run while it is)");
    }
    List<Path> files = weightFiles(path);
    long now = size(files);
    String hash = now == bytes ? digest(files) : null;
    if (now != bytes || !hash.equals(sha256)) {
      throw new IllegalArgumentException("the base model " + path + " of LoRA run " + run + " has changed since the"
          + " run was trained (" + (now != bytes ? "weights of " + now + " bytes, expected " + bytes
          : "weights sha256 " + hash.substring(0, 12) + "..., expected " + sha256.substring(0, 12) + "...")
          + "); the adapters fit only the original weights");
    }
    return LlmModel.open(path);
  }

  /** As JSON ({@code path}, {@code bytes}, {@code sha256}). */
  public ObjectNode toJson() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("path", path.toString());
    o.put("bytes", bytes);
    o.put("sha256", sha256);
    return o;
  }

  /** Reads {@link #toJson}'s form; {@code file} names the file in the error. */
  public static BaseReference fromJson(JsonNode o, Path file) {
    if (o == null || !o.path("path").isTextual() || !o.path("bytes").canConvertToLong()
        || !o.path("sha256").asText("").matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException(file + ": \"base\" needs \"path\", \"bytes\" and \"sha256\" (64 hex digits)");
    }
    return new BaseReference(Path.of(o.get("path").asText()), o.get("bytes").asLong(), o.get("sha256").asText());
  }

  /** The files {@link LlmModel#open} reads the weights of {@code model} from. */
  static List<Path> weightFiles(Path model) {
    if (Llama2cCheckpoint.isIn(model)) {
      return List.of(model);
    }
    if (HuggingFaceCheckpoint.isIn(model)) {
      Path index = model.resolve(SafetensorsFolder.INDEX);
      if (!Files.isRegularFile(index)) {
        return List.of(model.resolve(SafetensorsFolder.SINGLE));
      }
      // Sharded: the index and the shards it names, as SafetensorsFolder reads them.
      List<Path> files = new ArrayList<>(List.of(index));
      SafetensorsFolder.open(model); // checks the index and its shard names first
      TreeSet<String> shards = new TreeSet<>();
      try {
        new ObjectMapper().readTree(index.toFile()).get("weight_map").forEach(v -> shards.add(v.asText()));
      } catch (IOException e) {
        throw new UncheckedIOException("could not read " + index + ": " + e.getMessage(), e);
      }
      shards.forEach(shard -> files.add(model.resolve(shard)));
      return files;
    }
    if (Files.isRegularFile(model.resolve(RunDir.CONFIG))) {
      if (LoraRun.isIn(model)) {
        throw new IllegalArgumentException(model + " is itself a LoRA run; fold its adapters in first with 'llm"
            + " merge-lora --model " + model + " --out MERGED' and build on MERGED");
      }
      return List.of(RunDir.checkpointToLoad(model).resolve(Checkpoint.MODEL));
    }
    throw LlmModel.notAModel(model);
  }

  private static long size(List<Path> files) {
    long n = 0;
    for (Path f : files) {
      try {
        n += Files.size(f);
      } catch (IOException e) {
        throw new UncheckedIOException("could not read " + f + ": " + e.getMessage(), e);
      }
    }
    return n;
  }

  private static String digest(List<Path> files) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this Java has no SHA-256", e);
    }
    byte[] buf = new byte[1 << 20];
    for (Path f : files) {
      try (InputStream in = Files.newInputStream(f)) {
        for (int n; (n = in.read(buf)) > 0; ) {
          sha.update(buf, 0, n);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("could not read " + f + ": " + e.getMessage(), e);
      }
    }
    return HexFormat.of().formatHex(sha.digest());
  }
}
