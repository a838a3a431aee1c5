package org.genai4j.llm.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.genai4j.common.io.Safetensors;
import org.genai4j.common.io.SafetensorsFile;
import org.genai4j.common.ops.Params;
import org.genai4j.common.testing.FileFuzzer;
import org.genai4j.llm.LlmModel;
import org.genai4j.llm.model.Gpt;
import org.genai4j.llm.model.GptConfig;
import org.genai4j.llm.tokenizer.CharTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Every way a checkpoint folder or file can be wrong gets a one-line error naming the file, field
 * or tensor, before the model is allocated where the sizes lie; the llama2.c and Hugging Face
 * readers take 2,000 seeded corruptions each.
 */
class BadCheckpointTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path tmp;

  /** A tiny Llama exported as a Hugging Face folder. */
  private Path llamaFolder(String name) {
    GptConfig c = GptConfig.llama(CharTokenizer.fromCorpus("abcdefgh").vocabSize(), 2, 4, 2, 16, 16);
    LlmModel m = new LlmModel(new Gpt(c, Params.init(1)), CharTokenizer.fromCorpus("abcdefgh"), 0);
    Path out = tmp.resolve(name);
    HuggingFaceCheckpoint.export(m, out);
    return out;
  }

  private static String error(Path p) {
    return assertThrows(IllegalArgumentException.class, () -> LlmModel.open(p)).getMessage();
  }

  private static void edit(Path config, String field, Object value) throws IOException {
    ObjectNode o = (ObjectNode) JSON.readTree(config.toFile());
    o.set(field, JSON.valueToTree(value));
    JSON.writeValue(config.toFile(), o);
  }

  @Test
  void aConfigThatDisagreesWithTheTensorsIsNamedBeforeAllocating() throws IOException {
    Path dir = llamaFolder("huge");
    edit(dir.resolve("config.json"), "hidden_size", 1_000_000);
    assertTrue(error(dir).contains("head_dim 4 times 4 heads is not hidden_size 1000000"), error(dir));
    edit(dir.resolve("config.json"), "head_dim", null);
    String e = error(dir);
    assertTrue(e.contains("model.embed_tokens.weight") && e.contains("1000000"), e);
    dir = llamaFolder("layers");
    edit(dir.resolve("config.json"), "num_hidden_layers", 3);
    assertTrue(error(dir).contains("declares 3 layers"), error(dir));
    dir = llamaFolder("type");
    edit(dir.resolve("config.json"), "model_type", "mamba");
    assertTrue(error(dir).contains("model_type 'mamba'"), error(dir));
    dir = llamaFolder("scaling");
    edit(dir.resolve("config.json"), "rope_scaling", Map.of("rope_type", "llama3", "factor", 8));
    assertTrue(error(dir).contains("rope type 'llama3'"), error(dir));
    dir = llamaFolder("heads");
    edit(dir.resolve("config.json"), "num_attention_heads", -2);
    assertTrue(error(dir).contains("num_attention_heads must be a positive integer"), error(dir));
    dir = llamaFolder("json");
    Files.writeString(dir.resolve("config.json"), "{\"model_type\": ");
    assertTrue(error(dir).contains("config.json is not valid JSON"), error(dir));
  }

  @Test
  void missingExtraAndMisshapedTensorsAreNamed() throws IOException {
    Path dir = llamaFolder("tensors");
    SafetensorsFile f = SafetensorsFile.open(dir.resolve("model.safetensors"));
    Map<String, INDArray> all = new LinkedHashMap<>();
    f.entries().keySet().forEach(n -> all.put(n, f.readArray(n)));
    Map<String, INDArray> fewer = new LinkedHashMap<>(all);
    fewer.remove("model.layers.1.mlp.up_proj.weight");
    Safetensors.write(dir.resolve("model.safetensors"), fewer, Map.of());
    assertTrue(error(dir).contains("no tensor 'model.layers.1.mlp.up_proj.weight'"), error(dir));
    Map<String, INDArray> more = new LinkedHashMap<>(all);
    more.put("model.layers.0.extra.weight", all.get("model.norm.weight"));
    Safetensors.write(dir.resolve("model.safetensors"), more, Map.of());
    assertTrue(error(dir).contains("does not use: [model.layers.0.extra.weight]"), error(dir));
    Map<String, INDArray> misshaped = new LinkedHashMap<>(all);
    misshaped.put("model.layers.0.self_attn.o_proj.weight", all.get("model.layers.0.self_attn.o_proj.weight")
        .reshape(8, 32));
    Safetensors.write(dir.resolve("model.safetensors"), misshaped, Map.of());
    String e = error(dir);
    assertTrue(e.contains("o_proj.weight") && e.contains("[8, 32]") && e.contains("[16, 16]"), e);
  }

  @Test
  void aShardedFolderLoadsAndABadIndexIsNamed() throws IOException {
    Path dir = llamaFolder("sharded");
    LlmModel whole = LlmModel.open(dir);
    SafetensorsFile f = SafetensorsFile.open(dir.resolve("model.safetensors"));
    Map<String, INDArray> first = new LinkedHashMap<>();
    Map<String, INDArray> second = new LinkedHashMap<>();
    ObjectNode index = JSON.createObjectNode();
    ObjectNode map = index.putObject("weight_map");
    for (String n : f.entries().keySet()) {
      boolean one = n.contains("layers.0") || n.contains("embed");
      (one ? first : second).put(n, f.readArray(n));
      map.put(n, one ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors");
    }
    Files.delete(dir.resolve("model.safetensors"));
    Safetensors.write(dir.resolve("model-00001-of-00002.safetensors"), first, Map.of());
    Safetensors.write(dir.resolve("model-00002-of-00002.safetensors"), second, Map.of());
    JSON.writeValue(dir.resolve("model.safetensors.index.json").toFile(), index);
    LlmModel sharded = LlmModel.open(dir);
    int[] ids = {1, 2, 3};
    var ctx = org.genai4j.common.ops.StepContext.inference();
    assertEquals(java.util.Arrays.toString(whole.gpt().forward(ctx, ids, 1, 3).toArray()),
        java.util.Arrays.toString(sharded.gpt().forward(ctx, ids, 1, 3).toArray()));

    map.put("model.norm.weight", "../elsewhere.safetensors");
    JSON.writeValue(dir.resolve("model.safetensors.index.json").toFile(), index);
    assertTrue(error(dir).contains("names shard '\"../elsewhere.safetensors\"'"), error(dir));
    map.put("model.norm.weight", "model-00001-of-00002.safetensors");
    JSON.writeValue(dir.resolve("model.safetensors.index.json").toFile(), index);
    assertTrue(error(dir).contains("which does not hold it"), error(dir));
    map.put("model.norm.weight", "model-00003-of-00002.safetensors");
    JSON.writeValue(dir.resolve("model.safetensors.index.json").toFile(), index);
    assertTrue(error(dir).contains("not found"), error(dir));
  }

  @Test
  void aBadLlama2cHeaderOrSizeIsNamedBeforeAllocating() throws IOException {
    Path bin = tmp.resolve("m.bin");
    Files.write(bin, header(64, 172, 5, 8, 4, 512, 512));
    String e = error(bin);
    assertTrue(e.contains("is 28 bytes") && e.contains("declares"), e);
    Files.write(bin, header(Integer.MAX_VALUE, 172, 5, 8, 4, 512, 512));
    assertTrue(error(bin).contains("not llama2.c's"), error(bin));
    Files.write(bin, header(1 << 30, 1 << 30, 1 << 20, 8, 4, 1 << 30, 1 << 30));
    assertTrue(error(bin).contains("declares"), error(bin));
    Files.write(bin, new byte[5]);
    assertTrue(error(bin).contains("shorter than llama2.c's 28-byte header"), error(bin));
    assertTrue(error(tmp.resolve("none")).contains("is not a model"), error(tmp.resolve("none")));
  }

  @Test
  void fuzzedLlama2cFilesFailCleanly() throws Exception {
    // A valid tiny llama2.c file: dim 8, hidden 12, 1 layer, 2 heads, 1 kv head, vocab 10 (unshared), seq 4.
    int dim = 8;
    int hidden = 12;
    int kv = 4;
    int floats = 10 * dim + (2 * dim + 2 * dim * dim + 2 * kv * dim + 3 * dim * hidden) + dim + 4 * 4 + 10 * dim;
    ByteBuffer b = ByteBuffer.allocate(28 + 4 * floats).order(ByteOrder.LITTLE_ENDIAN);
    b.put(header(dim, hidden, 1, 2, 1, -10, 4));
    for (int i = 0; i < floats; i++) {
      b.putFloat((float) Math.sin(i));
    }
    Path good = tmp.resolve("good.bin");
    Files.write(good, b.array());
    assertEquals(10, LlmModel.open(good).config().vocabSize());
    FileFuzzer.Report r = FileFuzzer.of("fuzz.bin", b.array()).run(tmp, 2_000, 7, LlmModel::open);
    System.out.println("llama2.c fuzz: " + r.summary());
    assertEquals(0, r.failed(), String.join("\n", r.failures()));
  }

  @Test
  void fuzzedHuggingFaceConfigsAndWeightsFailCleanly() throws Exception {
    Path dir = llamaFolder("fuzz-source");
    for (String file : new String[] {"config.json", "model.safetensors"}) {
      byte[] bytes = Files.readAllBytes(dir.resolve(file));
      Path work = tmp.resolve("fuzz-" + file);
      Files.createDirectories(tmp.resolve("mutants-" + file));
      FileFuzzer.Report r = FileFuzzer.of(file, bytes).run(tmp.resolve("mutants-" + file), 2_000, 11, mutated -> {
        copyFolder(dir, work);
        Files.copy(mutated, work.resolve(file), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        LlmModel.open(work);
      });
      System.out.println("Hugging Face " + file + " fuzz: " + r.summary());
      assertEquals(0, r.failed(), String.join("\n", r.failures()));
    }
  }

  private static void copyFolder(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> s = Files.list(from)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Files.copy(p, to.resolve(p.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  private static byte[] header(int... v) {
    ByteBuffer b = ByteBuffer.allocate(28).order(ByteOrder.LITTLE_ENDIAN);
    for (int x : v) {
      b.putInt(x);
    }
    return b.array();
  }
}
