package org.genai4j.llm.finetune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.genai4j.common.io.SafetensorsFile;
import org.genai4j.common.ops.Param;
import org.genai4j.common.ops.StepContext;
import org.genai4j.common.train.RunDir;
import org.genai4j.common.train.RunFolder;
import org.genai4j.common.train.TrainingResult;
import org.genai4j.llm.GptTrainOptions;
import org.genai4j.llm.GptTraining;
import org.genai4j.llm.InitFrom;
import org.genai4j.llm.LlmModel;
import org.genai4j.llm.model.GptConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code llm train --init-from M [--lora-*]}: continuing a model, and LoRA on a language model with
 * adapter-only checkpoints, reload, resume, merge and a changed base.
 */
class LoraTrainingTest {
  @TempDir Path tmp;

  static final String TEXT = ("ROMEO:\nBut soft, what light through yonder window breaks?\n"
      + "JULIET:\nO Romeo, Romeo, wherefore art thou Romeo?\n").repeat(8);
  static final String OTHER = "JULIET:\nThe more I give to thee, the more I have, for both are infinite.\n".repeat(8);

  static GptTrainOptions tiny(int iters, Path out) {
    return GptTrainOptions.reference(out).withBatch(4, 1).withLr(1e-2, 1e-3, 1).withIters(iters).withEval(2, 2)
        .withLogEvery(1).withProgressBar(false).withThreads(2);
  }

  private Path base() {
    Path base = tmp.resolve("base");
    GptTraining.train(TEXT + OTHER, TEXT, GptConfig.reference().withShape(2, 2, 16, 16), tiny(4, base));
    return base;
  }

  private static float[] logits(LlmModel m) {
    int[] ids = m.tokenizer().encode("JULIET:\nO Rome");
    return m.gpt().forward(StepContext.inference(), ids, 1, ids.length).toArray();
  }

  @Test
  void loraTrainsAdaptersOnlySavesOnlyThemReloadsResumesAndMerges() throws Exception {
    Path base = base();
    LlmModel before = LlmModel.open(base);
    Map<String, float[]> baseWeights = new HashMap<>();
    before.weights().list().forEach(p -> baseWeights.put(p.name(), p.value().toArray()));
    InitFrom init = new InitFrom(base, new LoraConfig(2, 4, Set.of("attn", "mlp")));
    Path run = tmp.resolve("lora");
    TrainingResult<LlmModel> r = GptTraining.train(OTHER, OTHER, GptConfig.reference(), init, tiny(4, run), List.of());
    for (Param p : r.model().weights().list()) {
      if (baseWeights.containsKey(p.name())) {
        assertArrayEquals(baseWeights.get(p.name()), p.value().toArray(), p.name() + " stays bit-identical");
      }
    }
    long adapters = r.model().weights().list().stream().filter(p -> LoraConfig.isAdapter(p.name()))
        .mapToLong(p -> p.value().length()).sum();
    // Per block: c_attn A 2x16 + B 48x2, c_proj 2x16 + 16x2, c_fc 2x16 + 64x2, mlp.c_proj 2x64 + 16x2.
    assertEquals(2 * ((32 + 96) + (32 + 32) + (32 + 128) + (128 + 32)), adapters);

    // The checkpoints hold the adapters and nothing of the base; lora.json names the base.
    for (String c : List.of(RunDir.LAST, RunDir.BEST)) {
      Set<String> saved = SafetensorsFile.open(run.resolve(c).resolve("model.safetensors")).entries().keySet();
      assertEquals(16, saved.size(), saved.toString());
      assertTrue(saved.stream().allMatch(LoraConfig::isAdapter), saved.toString());
    }
    assertTrue(Files.size(run.resolve(RunDir.LAST).resolve("model.safetensors")) < 4 * adapters + 4096);
    LoraRun lora = LoraRun.read(run);
    assertEquals(base.toAbsolutePath().normalize(), lora.base().path());

    LlmModel loaded = LlmModel.load(run, run.resolve(RunDir.LAST));
    assertArrayEquals(logits(r.model()), logits(loaded), 0f, "the reloaded model computes exactly the same");
    LlmModel merged = LoraGpt.merged(LlmModel.load(run, run.resolve(RunDir.LAST)));
    assertEquals(before.parameterCount(), merged.parameterCount(), "no adapters left");
    assertArrayEquals(logits(loaded), logits(merged), 1e-5f, "merged weights compute what base + adapters do");
    merged.save(tmp.resolve("merged"));
    assertArrayEquals(logits(merged), logits(LlmModel.open(tmp.resolve("merged"))), 0f);

    // Resumed from step 2, the run ends where the straight one did.
    Path split = tmp.resolve("split");
    GptTraining.train(OTHER, OTHER, GptConfig.reference(), init, tiny(4, split).withIters(2, 4), List.of());
    TrainingResult<LlmModel> resumed = GptTraining.train(OTHER, OTHER, GptConfig.reference(), init,
        tiny(4, split).withStart(new RunFolder.Start(true, false, true)), List.of());
    assertEquals(2, resumed.steps());
    assertArrayEquals(logits(loaded), logits(LlmModel.load(split, split.resolve(RunDir.LAST))), 0f,
        "resumed equals straight through");

    // A LoRA run cannot be the base of another, and a changed base is named in one line.
    var chained = assertThrows(IllegalArgumentException.class, () -> BaseReference.of(run));
    assertTrue(chained.getMessage().contains("is itself a LoRA run"), chained.getMessage());
    GptTraining.train(TEXT, TEXT, GptConfig.reference().withShape(2, 2, 16, 16), tiny(2, base)
        .withStart(new RunFolder.Start(true, false, true)).withIters(6));
    var changed = assertThrows(IllegalArgumentException.class, () -> LlmModel.load(run));
    assertTrue(changed.getMessage().startsWith("the base model " + base.toAbsolutePath().normalize() + " of LoRA run ")
        && changed.getMessage().contains("has changed since the run was trained"), changed.getMessage());
    var resumeChanged = assertThrows(IllegalArgumentException.class, () -> GptTraining.train(OTHER, OTHER,
        GptConfig.reference(), init, tiny(6, run).withStart(new RunFolder.Start(true, false, true)), List.of()));
    assertTrue(resumeChanged.getMessage().contains("has changed since the run was trained"), resumeChanged.getMessage());
    var withoutLora = assertThrows(IllegalArgumentException.class, () -> GptTraining.train(OTHER, OTHER,
        GptConfig.reference(), new InitFrom(base, null), tiny(6, split).withStart(new RunFolder.Start(true, false,
        true)), List.of()));
    assertTrue(withoutLora.getMessage().startsWith("--resume: the run in " + split + " was trained with LoRA adapters"),
        withoutLora.getMessage());
  }

  @Test
  void initFromContinuesTheBaseWithItsConfigAndTokenizer() {
    Path base = base();
    LlmModel b = LlmModel.open(base);
    // The shape given is ignored: the base's is the run's.
    TrainingResult<LlmModel> r = GptTraining.train(OTHER, OTHER, GptConfig.reference(), new InitFrom(base, null),
        tiny(3, tmp.resolve("more")), List.of());
    assertEquals(b.config(), r.model().config());
    assertEquals(b.parameterCount(), r.model().parameterCount());
    assertEquals(b.tokenizer().vocabSize(), r.model().tokenizer().vocabSize());
    assertTrue(!java.util.Arrays.equals(b.weights().get("transformer.h.0.mlp.c_fc.weight").value().toArray(),
        r.model().weights().get("transformer.h.0.mlp.c_fc.weight").value().toArray()), "the whole model trains");
    assertTrue(Files.notExists(tmp.resolve("more").resolve(LoraRun.FILE)));
    assertEquals(r.model().step(), LlmModel.open(tmp.resolve("more")).step());
    // A first step from the base starts at the base's loss, far below a random model's.
    double first = r.last().loss();
    assertTrue(first < Math.log(b.config().vocabSize()), "loss " + first);
  }

  @Test
  void aHuggingFaceFolderIsABaseToo() {
    Path hf = tmp.resolve("hf");
    org.genai4j.llm.checkpoint.HuggingFaceCheckpoint.export(LlmModel.open(base()), hf);
    BaseReference ref = BaseReference.of(hf);
    assertEquals(List.of(hf.toAbsolutePath().normalize().resolve("model.safetensors")),
        BaseReference.weightFiles(ref.path()));
    Path run = tmp.resolve("hf-lora");
    TrainingResult<LlmModel> r = GptTraining.train(OTHER, OTHER, GptConfig.reference(),
        new InitFrom(hf, new LoraConfig(2, 4, Set.of("c_fc"))), tiny(2, run), List.of());
    assertEquals(ref, LoraRun.read(run).base());
    assertArrayEquals(logits(r.model()), logits(LlmModel.open(run)), 0f);
  }

  @Test
  void aRunFromAModelMayTrainOnShorterWindows() throws Exception {
    Path base = base();
    Path run = tmp.resolve("short");
    TrainingResult<LlmModel> r = GptTraining.train(OTHER, OTHER, GptConfig.reference(),
        new InitFrom(base, new LoraConfig(2, 4, Set.of("attn")), 8), tiny(2, run), List.of());
    assertEquals(16, r.model().config().blockSize(), "the model keeps its context");
    assertEquals(2 * 4 * 8, r.unitsPerSecond() * r.seconds(), 1e-3, "2 steps of 4 windows of 8 tokens");
    assertTrue(Files.readString(run.resolve(RunDir.TRAIN)).contains("\"window\" : 8"));
    var tooLong = assertThrows(IllegalArgumentException.class, () -> GptTraining.train(OTHER, OTHER,
        GptConfig.reference(), new InitFrom(base, null, 17), tiny(2, tmp.resolve("long")), List.of()));
    assertEquals("--block 17 exceeds the context of the model given with --init-from (16 tokens)", tooLong.getMessage());
  }

  @Test
  void loraTargetsTheModelDoesNotHaveAreNamedBeforeTheRunFolderIsWritten() {
    Path base = base();
    InitFrom init = new InitFrom(base, new LoraConfig(2, 4, Set.of("q_proj")));
    var e = assertThrows(IllegalArgumentException.class, () -> GptTraining.train(OTHER, OTHER, GptConfig.reference(),
        init, tiny(2, tmp.resolve("bad")), List.of()));
    assertTrue(e.getMessage().startsWith("--lora-targets 'q_proj' selects no linear layer"), e.getMessage());
    var wide = assertThrows(IllegalArgumentException.class, () -> GptTraining.train(OTHER, OTHER,
        GptConfig.reference(), new InitFrom(base, new LoraConfig(17, 4, Set.of("attn"))), tiny(2, tmp.resolve("bad2")),
        List.of()));
    assertTrue(wide.getMessage().startsWith("--lora-rank 17 exceeds the width of"), wide.getMessage());
    GptTraining.train(OTHER, OTHER, GptConfig.reference(), new InitFrom(base, new LoraConfig(2, 4, Set.of("attn"))),
        tiny(2, tmp.resolve("bad")), List.of()); // the refused run left the folder empty
    assertTrue(LoraRun.isIn(tmp.resolve("bad")));
  }
}
