package org.genai4j.samples.tutorial;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.genai4j.common.ops.StepContext;
import org.genai4j.llm.LlmModel;
import org.genai4j.llm.TextGeneration;
import org.genai4j.llm.checkpoint.ModelDescription;
import org.genai4j.llm.generate.GenerationOptions;
import org.genai4j.llm.model.GptConfig;

/**
 * Chapter 8: opening checkpoints others trained, a Hugging Face GPT-2 folder and a llama2.c file,
 * and checking them against the reference implementations' outputs. Runs on the tiny fixtures
 * ({@code GENAI4J_FIXTURES}, else {@code ../shared/fixtures} beside the repository); the same
 * calls open the real GPT-2 124M.
 */
final class PretrainedWeights implements Chapter {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public int number() {
    return 8;
  }

  @Override
  public String title() {
    return "Loading pretrained weights";
  }

  @Override
  public String page() {
    return "08-pretrained.md";
  }

  @Override
  public void run(ChapterRun run) throws Exception {
    Path fixtures = fixtures(run);

    // A Hugging Face folder: config.json, model.safetensors, vocab.json, merges.txt.
    Path gpt2 = fixtures.resolve("gpt2-tiny");
    run.say("%s", ModelDescription.of(gpt2).lines()); // reads the headers only, not the weights
    LlmModel model = LlmModel.open(gpt2);
    GptConfig c = model.config();
    run.figure("gpt2_layers", c.nLayer());
    run.figure("gpt2_width", c.nEmbd());
    run.figure("gpt2_params", model.parameterCount());
    run.figure("gpt2_tokenizer", model.tokenizer().kind());
    JsonNode ref = JSON.readTree(gpt2.resolve("reference.json").toFile());
    int[] ids = ints(ref.get("input_ids"));
    run.say("the prompt %s is %s", "\"" + model.tokenizer().decode(ids) + "\"", Arrays.toString(ids));
    run.figure("gpt2_prompt_ids_match",
        Arrays.equals(ids, model.tokenizer().encode("Hello, I am a language model.")) ? "yes" : "no");
    float[] want = referenceLogits(gpt2.resolve("reference.safetensors"));
    float[] got = model.gpt().forward(StepContext.inference(), ids, 1, ids.length).toArray();
    double worst = maxDiff(want, got);
    run.say("largest difference to transformers' logits: %.1e (of %,d logits)", worst, want.length);
    run.figure("gpt2_logits_within_1e_4", worst < 1e-4 ? "yes" : "no");
    int[] greedy = ints(ref.get("greedy_ids"));
    int[] ours = TextGeneration.generate(model, ids,
        GenerationOptions.defaults().withTemperature(0).withMaxTokens(greedy.length), null).tokens();
    run.figure("gpt2_greedy_ids_match", Arrays.equals(greedy, ours) ? "yes" : "no");

    // A llama2.c file: a header of 7 integers, then float32 weights.
    Path stories = fixtures.resolve("llama2c-stories260K");
    LlmModel llama = LlmModel.open(stories.resolve("stories260K.bin"));
    GptConfig l = llama.config();
    run.say("stories260K: %d layers, width %d, %d heads sharing %d key/value heads, %s norm, %s MLP, %s positions",
        l.nLayer(), l.nEmbd(), l.nHead(), l.kvHeads(), l.norm(), l.mlp(), l.positional());
    run.figure("llama_params", llama.parameterCount());
    run.figure("llama_kv_heads", l.kvHeads());
    JsonNode lref = JSON.readTree(stories.resolve("reference.json").toFile());
    int[] prompt = ints(lref.get("prompt_ids"));
    int[] runC = ints(lref.get("ids"));
    int[] mine = TextGeneration.generate(llama, prompt,
        GenerationOptions.defaults().withTemperature(0).withMaxTokens(runC.length), null).tokens();
    run.figure("llama_greedy_ids", runC.length);
    run.figure("llama_greedy_ids_match", Arrays.equals(runC, mine) ? "yes" : "no");
  }

  /** The fixtures folder: GENAI4J_FIXTURES, else shared/fixtures beside the repository (from its root or a module). */
  private static Path fixtures(ChapterRun run) {
    String env = System.getenv("GENAI4J_FIXTURES");
    List<Path> candidates = env != null ? List.of(Path.of(env))
        : List.of(Path.of("../shared/fixtures"), Path.of("../../shared/fixtures"));
    for (Path p : candidates) {
      if (Files.isDirectory(p.resolve("gpt2-tiny")) && Files.isDirectory(p.resolve("llama2c-stories260K"))) {
        return p;
      }
    }
    throw run.skip("no checkpoint fixtures (gpt2-tiny/, llama2c-stories260K/) at " + candidates
        + "; set GENAI4J_FIXTURES to the folder holding them");
  }

  /**
   * The F32 tensor "logits" of a safetensors file, read by hand: an 8-byte little-endian header
   * length, a JSON header giving each tensor's dtype, shape and byte range, then the data. (The
   * library's SafetensorsFile refuses this file: it also holds the I64 tensor input_ids.)
   */
  private static float[] referenceLogits(Path file) throws java.io.IOException {
    java.nio.ByteBuffer bytes = java.nio.ByteBuffer.wrap(Files.readAllBytes(file))
        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    int headerLength = Math.toIntExact(bytes.getLong(0));
    JsonNode entry = JSON.readTree(new String(bytes.array(), 8, headerLength,
        java.nio.charset.StandardCharsets.UTF_8)).get("logits");
    if (entry == null || !entry.get("dtype").asText().equals("F32")) {
      throw new IllegalArgumentException(file + ": expected an F32 tensor 'logits'");
    }
    int begin = 8 + headerLength + entry.get("data_offsets").get(0).asInt();
    int end = 8 + headerLength + entry.get("data_offsets").get(1).asInt();
    float[] out = new float[(end - begin) / 4];
    bytes.position(begin);
    bytes.slice().order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
    return out;
  }

  private static int[] ints(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asInt();
    }
    return out;
  }

  private static double maxDiff(float[] a, float[] b) {
    if (a.length != b.length) {
      return Double.POSITIVE_INFINITY;
    }
    double worst = 0;
    for (int i = 0; i < a.length; i++) {
      worst = Math.max(worst, Math.abs(a[i] - b[i]));
    }
    return worst;
  }
}
