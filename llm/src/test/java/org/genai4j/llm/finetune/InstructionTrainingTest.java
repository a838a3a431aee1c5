package org.genai4j.llm.finetune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.genai4j.common.ops.Param;
import org.genai4j.common.ops.Params;
import org.genai4j.common.ops.StepContext;
import org.genai4j.llm.LlmModel;
import org.genai4j.llm.model.Gpt;
import org.genai4j.llm.model.GptConfig;
import org.genai4j.llm.tokenizer.CharTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Instruction fine-tuning of a tiny GPT: the loss on responses falls, the run loads, responses are written. */
class InstructionTrainingTest {
  @TempDir Path tmp;

  private static final String[] WORDS = {"red", "blue", "green", "black", "white", "pink", "gold", "gray", "teal",
      "navy", "lime", "plum", "rose", "sand", "jade", "ruby"};

  /** "Repeat the word." records: the response is the input, which the model must learn to copy. */
  static InstructionData.Splits task() {
    List<InstructionRecord> records = new ArrayList<>();
    for (String w : WORDS) {
      records.add(InstructionRecord.of("Repeat the word.", w, w));
    }
    return new InstructionData.Splits(new InstructionData(records.subList(0, 12)),
        new InstructionData(records.subList(12, 14)), new InstructionData(records.subList(14, 16)));
  }

  static LlmModel base(int block) {
    StringBuilder corpus = new StringBuilder(InstructionBatches.END_WITHOUT_TOKEN);
    for (InstructionRecord r : task().train().records()) {
      corpus.append(AlpacaPrompt.full(r));
    }
    for (String w : WORDS) {
      corpus.append(w);
    }
    CharTokenizer tok = CharTokenizer.fromCorpus(corpus.toString());
    return new LlmModel(new Gpt(GptConfig.of(tok.vocabSize(), 2, 2, 32, block), Params.init(7)), tok, 0);
  }

  @Test
  void aTinyGptLearnsToRespondAndItsRunLoadsAsAModel() throws Exception {
    LlmModel base = base(192);
    Path out = tmp.resolve("run");
    InstructOptions options = InstructOptions.defaults(out).withLength(60, 0).withOptimizer(4, 3e-3, 0.0)
        .withEval(20, 0, 12).withRun(3, 1, false);
    List<String> warnings = new ArrayList<>();
    InstructionTraining.Result r = InstructionTraining.train(base, task(), options, warnings::add);
    assertTrue(warnings.isEmpty(), warnings.toString());
    assertEquals(60, r.steps());
    assertEquals(r.totalParameters(), r.trainableParameters());
    // The base model's validation loss on responses is near log(vocab); a trained model's far below.
    assertTrue(r.after().get("val") < 0.7 * r.before().get("val"), r.before() + " -> " + r.after());
    assertTrue(r.after().get("train") < r.before().get("train"), r.before() + " -> " + r.after());

    List<String> metrics = Files.readAllLines(out.resolve("metrics.jsonl"));
    JsonNode first = new ObjectMapper().readTree(metrics.get(0));
    assertEquals(0, first.path("step").asInt(), metrics.get(0));
    assertTrue(metrics.stream().filter(l -> l.contains("eval/val_loss") && l.contains("eval/train_loss")).count() >= 3,
        String.join("\n", metrics));

    JsonNode responses = new ObjectMapper().readTree(out.resolve(InstructionTraining.RESPONSES).toFile());
    assertTrue(responses.isArray());
    assertEquals(2, responses.size());
    for (int i = 0; i < 2; i++) {
      JsonNode e = responses.get(i);
      assertEquals(Set.of("instruction", "input", "output", "model_response"), fieldNames(e));
      assertEquals(WORDS[14 + i], e.path("output").asText());
      assertFalse(e.path("model_response").asText().contains("###"), e.toString());
      assertEquals(r.responses().get(i).modelResponse(), e.path("model_response").asText());
    }

    // The run is an ordinary LLM run: it opens as a model and predicts what the trained model does.
    LlmModel loaded = LlmModel.open(out);
    assertEquals(60, loaded.step());
    int[] ids = base.tokenizer().encode(AlpacaPrompt.prompt(task().test().records().get(0)));
    assertArrayEquals(r.model().gpt().forward(StepContext.inference(), ids, 1, ids.length).toArray(),
        loaded.gpt().forward(StepContext.inference(), ids, 1, ids.length).toArray(), 1e-6f);
    assertEquals(r.responses().get(0).modelResponse(), InstructionResponses.respond(loaded,
        AlpacaPrompt.prompt(task().test().records().get(0)), -1, 12));
  }

  @Test
  void loraTrainsTheAdaptersOnlyAndSavesOnlyThem() {
    Path basePath = tmp.resolve("base");
    base(192).save(basePath);
    LlmModel base = LlmModel.open(basePath);
    float[] before = base.weights().get("transformer.h.0.attn.c_attn.weight").value().toArray();
    Path out = tmp.resolve("lora");
    InstructOptions options = InstructOptions.defaults(out).withLength(4, 0).withOptimizer(4, 1e-2, 0.0)
        .withEval(0, 1, 0).withRun(3, 1, false)
        .withLora(new LoraConfig(2, 4, Set.of("attn")));
    var inMemory = assertThrows(IllegalArgumentException.class, () -> InstructionTraining.train(base, task(), options,
        s -> {}));
    assertTrue(inMemory.getMessage().contains("needs its base model as a folder"), inMemory.getMessage());
    InstructionTraining.Result r = InstructionTraining.train(base, BaseReference.of(basePath), task(), options,
        s -> {});
    // Per block: c_attn A 2x32 + B 96x2, c_proj A 2x32 + B 32x2; two blocks.
    assertEquals(2 * (64 + 192 + 64 + 64), r.trainableParameters());
    assertArrayEquals(before, base.weights().get("transformer.h.0.attn.c_attn.weight").value().toArray());
    // The run holds the adapters only; opened, it is the base plus them, and merges into the same model.
    var saved = org.genai4j.common.io.SafetensorsFile.open(out.resolve("checkpoints/last/model.safetensors"))
        .entries().keySet();
    assertEquals(8, saved.size(), saved.toString());
    assertTrue(saved.stream().allMatch(LoraConfig::isAdapter), saved.toString());
    LlmModel loaded = LlmModel.open(out);
    int[] ids = loaded.tokenizer().encode("Repeat the word.");
    float[] adapted = r.model().gpt().forward(StepContext.inference(), ids, 1, ids.length).toArray();
    assertArrayEquals(adapted, loaded.gpt().forward(StepContext.inference(), ids, 1, ids.length).toArray(), 0f);
    LlmModel merged = LoraGpt.merged(loaded);
    assertTrue(merged.weights().list().stream().map(Param::name).noneMatch(LoraConfig::isAdapter));
    assertArrayEquals(adapted, merged.gpt().forward(StepContext.inference(), ids, 1, ids.length).toArray(), 1e-5f);
    assertTrue(r.responses().isEmpty());
  }

  @Test
  void aSequenceLongerThanTheContextIsCutWithAWarningOrRefused() throws Exception {
    // Prompts of 169 characters plus the word, then the word and 5 end ids: 180 and more, cut to 176 + 1.
    LlmModel base = base(192);
    List<String> warnings = new ArrayList<>();
    InstructOptions options = InstructOptions.defaults(null).withLength(1, 0).withOptimizer(4, 1e-3, 0.0)
        .withEval(0, 1, 0).withRun(3, 1, false).withSequences(176, false);
    InstructionTraining.train(base, task(), options, warnings::add);
    assertTrue(warnings.get(0).startsWith("warning: train record 0 (\"Repeat the word.\") has 180 tokens (prompt 172)")
        && warnings.get(0).endsWith("cut to its first 177"), warnings.toString());
    assertTrue(warnings.stream().anyMatch(w -> w.contains("more train records were cut")), warnings.toString());
    Path out = tmp.resolve("refused");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> InstructionTraining.train(base,
        task(), options.withOutDir(out).withSequences(176, true), s -> {}));
    assertTrue(e.getMessage().startsWith("train record 0 (\"Repeat the word.\") has 180 tokens")
        && e.getMessage().contains("--no-truncate"), e.getMessage());
    assertFalse(Files.exists(out), "a refused run leaves no folder");
    // A context the prompts fill leaves nothing to learn: a named error rather than a loss of NaN.
    IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> InstructionTraining.train(
        base(64), task(), options.withSequences(1024, false), s -> {}));
    assertTrue(none.getMessage().startsWith("no training example keeps a response token within 64 inputs"),
        none.getMessage());
  }

  private static Set<String> fieldNames(JsonNode n) {
    Set<String> s = new java.util.HashSet<>();
    n.fieldNames().forEachRemaining(s::add);
    return s;
  }
}
