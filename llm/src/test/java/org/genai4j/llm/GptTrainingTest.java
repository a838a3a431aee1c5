package org.genai4j.llm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.genai4j.common.io.Safetensors;
import org.genai4j.common.io.SafetensorsFile;
import org.genai4j.common.ops.Param;
import org.genai4j.common.train.Checkpoint;
import org.genai4j.common.train.RunDir;
import org.genai4j.common.train.RunFolder;
import org.genai4j.common.train.TrainingResult;
import org.genai4j.llm.generate.GenerationOptions;
import org.genai4j.llm.model.GptConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The family's public shape end to end on a tiny model: train, run folder, load, evaluate, generate, resume, errors. */
class GptTrainingTest {

  static final String TEXT = ("ROMEO:\nBut soft, what light through yonder window breaks?\n"
      + "JULIET:\nO Romeo, Romeo, wherefore art thou Romeo?\n").repeat(8);

  static GptConfig tinyModel() {
    return GptConfig.reference().withShape(1, 2, 16, 16);
  }

  static GptTrainOptions tiny(int iters, Path out) {
    return GptTrainOptions.reference(out).withBatch(4, 2).withLr(1e-2, 1e-3, 2).withIters(iters).withEval(3, 2)
        .withLogEvery(1).withProgressBar(false).withThreads(2);
  }

  @Test
  void trainsWritesARunFolderAndLoadsBack(@TempDir Path dir) {
    String train = TEXT.substring(0, TEXT.length() * 3 / 4);
    String val = TEXT.substring(TEXT.length() * 3 / 4);
    TrainingResult<LlmModel> r = GptTraining.train(train, val, tinyModel(), tiny(6, dir));
    assertEquals(6, r.steps());
    assertEquals(6, r.model().step());
    int vocab = (int) TEXT.codePoints().distinct().count();
    assertEquals(vocab, r.model().config().vocabSize(), "the vocabulary is the tokenizer's");
    double valLoss = r.last().evaluation().get("val_loss");
    assertTrue(valLoss < Math.log(vocab) - 0.1, "validation loss should fall below uniform (" + Math.log(vocab) + "): "
        + valLoss);
    for (String f : new String[] {"config.json", "tokenizer.json", "train.json", "metrics.jsonl",
        "checkpoints/best/model.safetensors", "checkpoints/last/model.safetensors",
        "checkpoints/last/optimizer.safetensors"}) {
      assertTrue(Files.isRegularFile(dir.resolve(f)), f);
    }
    // The checkpoint reads like nanoGPT's state dict.
    SafetensorsFile saved = SafetensorsFile.open(dir.resolve("checkpoints/last/model.safetensors"));
    assertTrue(saved.contains("transformer.h.0.attn.c_attn.weight") && saved.contains("transformer.wpe.weight")
        && !saved.contains("lm_head.weight"), saved.entries().keySet().toString());
    assertArrayEquals(new int[] {48, 16}, saved.entries().get("transformer.h.0.attn.c_attn.weight").shape());

    LlmModel m = LlmModel.load(dir);
    LlmEvaluation.Result e = LlmEvaluation.evaluate(m, val, 3, 1);
    assertTrue(e.toString().matches("val_loss=\\d+\\.\\d{4} ppl=\\d+\\.\\d{4} bpc=\\d+\\.\\d{4}"), e.toString());
    assertEquals(Math.exp(e.loss()), e.perplexity(), 1e-9);
    // Char tokenizer: one character per token, so bpc is the loss in bits.
    assertEquals(e.loss() / Math.log(2), e.bitsPerChar(), 1e-9);
    assertEquals(e, LlmEvaluation.evaluate(m, val, 3, 1), "a fixed seed gives the same estimate");
    // The best checkpoint is the one with the lowest validation loss seen, which the trainer logged.
    assertEquals(r.last().evaluation().get("best_val_loss"),
        Checkpoint.read(dir.resolve(RunDir.BEST)).values().get("best"), 1e-12);
    String text = TextGeneration.generate(m, "ROMEO:", GenerationOptions.defaults().withMaxTokens(20));
    assertEquals(20, text.codePointCount(0, text.length()));
  }

  @Test
  void evaluationOfTheTrainedModelEqualsThatOfTheLoadedOne(@TempDir Path dir) {
    TrainingResult<LlmModel> r = GptTraining.train(TEXT, TEXT, tinyModel(), tiny(4, dir).withEval(0, 2));
    LlmModel loaded = LlmModel.load(dir, dir.resolve(RunDir.LAST));
    assertEquals(LlmEvaluation.evaluate(r.model(), TEXT, 2, 5), LlmEvaluation.evaluate(loaded, TEXT, 2, 5));
  }

  @Test
  void evaluationSpreadOverCopiesOnThreadsEqualsOneCopy(@TempDir Path dir) {
    LlmModel m = GptTraining.train(TEXT, TEXT, tinyModel(), tiny(2, dir).withEval(0, 2)).model();
    List<LlmModel> copies = List.of(m,
        new LlmModel(new org.genai4j.llm.model.Gpt(m.gpt().config(), m.gpt().params().replica()), m.tokenizer(), 0),
        new LlmModel(new org.genai4j.llm.model.Gpt(m.gpt().config(), m.gpt().params().replica()), m.tokenizer(), 0));
    int[] tokens = m.tokenizer().encode(TEXT);
    int block = m.config().blockSize();
    LlmEvaluation.Result one = LlmEvaluation.evaluate(m, tokens, 7, 3, block, 9);
    assertEquals(one, LlmEvaluation.evaluate(copies, org.genai4j.common.util.Parallel.of(3), tokens, 7, 3, block, 9),
        "batches drawn in order, losses added in order: the same bits on 3 threads");
  }

  @Test
  void resumingEqualsTrainingStraightThrough(@TempDir Path dir) throws Exception {
    GptConfig model = tinyModel().withDropout(0.1);
    GptTraining.train(TEXT, TEXT, model, tiny(6, dir.resolve("straight")));
    // The same schedule as the straight run (decay ends at 6), stopped at 3, then resumed for 6
    // steps: a change of --iters, accepted and recorded.
    GptTraining.train(TEXT, TEXT, model, tiny(6, dir.resolve("split")).withIters(3, 6));
    TrainingResult<LlmModel> resumed = GptTraining.train(TEXT, TEXT, model,
        tiny(6, dir.resolve("split")).withStart(new RunFolder.Start(true, false, true)));
    assertEquals(3, resumed.steps(), "the resumed call ran the remaining steps");
    LlmModel a = LlmModel.load(dir.resolve("straight"), dir.resolve("straight/checkpoints/last"));
    LlmModel b = LlmModel.load(dir.resolve("split"), dir.resolve("split/checkpoints/last"));
    assertEquals(6, b.step());
    for (Param p : a.weights().list()) {
      assertArrayEquals(p.value().toArray(), b.weights().get(p.name()).value().toArray(), p.name() + " after resume");
    }
    String history = Files.readString(dir.resolve("split").resolve(RunFolder.HISTORY));
    assertTrue(history.contains("\"step\":3,\"option\":\"--iters\",\"old\":\"3\",\"new\":\"6\""), history);
    // Each step is logged once: the resumed run appends after step 3.
    List<Long> steps = Files.readAllLines(dir.resolve("split").resolve(RunDir.METRICS)).stream()
        .map(l -> Long.parseLong(l.replaceAll("^\\{\"step\":(\\d+),.*", "$1"))).toList();
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), steps);
  }

  @Test
  void aNewRunRefusesAFolderThatHoldsOneAndTheOldRunStillResumes(@TempDir Path dir) throws Exception {
    GptTraining.train(TEXT, null, tinyModel(), tiny(2, dir).withIters(2, 4));
    String tokenizer = Files.readString(dir.resolve("tokenizer.json"));
    var e = assertThrows(IllegalArgumentException.class,
        () -> GptTraining.train(TEXT + "XYZ", null, tinyModel(), tiny(2, dir)));
    assertEquals("output folder " + dir + " already holds a run; continue it with --resume or replace it with"
        + " --overwrite", e.getMessage());
    assertEquals(tokenizer, Files.readString(dir.resolve("tokenizer.json")), "the old run's files are untouched");
    var changed = assertThrows(IllegalArgumentException.class, () -> GptTraining.train(TEXT, null,
        tinyModel().withShape(2, 2, 16, 16), tiny(2, dir).withIters(4, 4).withResume(true)));
    assertEquals("--resume: --layers changed from 1 to 2, --iters changed from 2 to 4; pass --allow-change to accept",
        changed.getMessage());
    TrainingResult<LlmModel> resumed = GptTraining.train(TEXT, null, tinyModel(), tiny(2, dir).withIters(2, 4)
        .withResume(true).withThreads(1));
    assertEquals(0, resumed.steps(), "the run had ended; another thread count is no change");
    assertEquals(2, LlmModel.load(dir).step());
    assertFalse(Files.exists(dir.resolve(RunDir.BEST)), "no validation text, no best checkpoint");

    var r = assertThrows(IllegalArgumentException.class,
        () -> GptTraining.train(TEXT, null, tinyModel(), tiny(2, dir.resolve("empty")).withResume(true)));
    assertTrue(r.getMessage().startsWith("--resume: ") && r.getMessage().contains("holds no checkpoint"),
        r.getMessage());
    TrainingResult<LlmModel> over = GptTraining.train(TEXT, null, tinyModel(), tiny(1, dir)
        .withStart(new RunFolder.Start(false, true, false)));
    assertEquals(1, over.model().step(), "--overwrite starts afresh");
    assertEquals(1, LlmModel.load(dir).step());
  }

  @Test
  void aSecondTrainingIntoAFolderInUseIsRefusedNamingTheOwner(@TempDir Path dir) {
    GptTraining.train(TEXT, null, tinyModel(), tiny(1, dir).withIters(1, 2));
    try (RunFolder owner = RunFolder.open(dir, RunFolder.Start.RESUME)) {
      var e = assertThrows(IllegalStateException.class,
          () -> GptTraining.train(TEXT, null, tinyModel(), tiny(2, dir).withIters(1, 2).withResume(true)));
      assertTrue(e.getMessage().contains("is in use by another training (pid " + ProcessHandle.current().pid()),
          e.getMessage());
    }
    assertEquals(2, GptTraining.train(TEXT, null, tinyModel(), tiny(2, dir).withIters(2, 2)
        .withStart(new RunFolder.Start(true, false, true))).model().step(), "released, the run resumes");
  }

  @Test
  void aCorruptBestCheckpointFallsBackToTheLast(@TempDir Path dir) throws Exception {
    GptTraining.train(TEXT, TEXT, tinyModel(), tiny(3, dir));
    Files.write(dir.resolve("checkpoints/best/model.safetensors"), new byte[] {1, 2, 3});
    assertEquals(3, LlmModel.load(dir).step());
    Files.write(dir.resolve("checkpoints/last/model.safetensors"), new byte[] {1, 2, 3});
    var e = assertThrows(IllegalArgumentException.class, () -> LlmModel.load(dir));
    assertTrue(e.getMessage().startsWith("no intact checkpoint in " + dir), e.getMessage());
  }

  @Test
  void aCheckpointWithAMissingOrMisshapedTensorIsNamed(@TempDir Path dir) throws Exception {
    GptTraining.train(TEXT, null, tinyModel(), tiny(1, dir));
    Path file = dir.resolve("checkpoints/last/model.safetensors");
    SafetensorsFile saved = SafetensorsFile.open(file);
    Map<String, INDArray> all = new LinkedHashMap<>();
    for (String name : saved.entries().keySet()) {
      all.put(name, saved.readArray(name).dup());
    }
    Map<String, INDArray> fewer = new LinkedHashMap<>(all);
    fewer.remove("transformer.h.0.ln_2.bias");
    Safetensors.write(file, fewer, Map.of());
    var missing = assertThrows(IllegalArgumentException.class, () -> LlmModel.load(dir));
    assertTrue(missing.getMessage().contains("'transformer.h.0.ln_2.bias'") && !missing.getMessage().contains("\n"),
        missing.getMessage());
    Map<String, INDArray> wrong = new LinkedHashMap<>(all);
    wrong.put("transformer.h.0.attn.c_attn.weight", Nd4j.zeros(DataType.FLOAT, 16, 48));
    Safetensors.write(file, wrong, Map.of());
    var misshaped = assertThrows(IllegalArgumentException.class, () -> LlmModel.load(dir));
    assertTrue(misshaped.getMessage().contains("'transformer.h.0.attn.c_attn.weight'")
        && misshaped.getMessage().contains("[16, 48]") && !misshaped.getMessage().contains("\n"),
        misshaped.getMessage());
  }

  @Test
  void badInputGetsOneLineErrorsNamingTheField(@TempDir Path dir) {
    var missing = assertThrows(IllegalArgumentException.class, () -> LlmModel.load(dir.resolve("nope")));
    assertTrue(missing.getMessage().contains("run folder not found"), missing.getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> GptTrainOptions.reference().withBatch(0, 1))
        .getMessage().startsWith("batchSize"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> GptTrainOptions.reference().withThreads(-1))
        .getMessage().startsWith("threads"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> GptTrainOptions.reference().withResume(true))
        .getMessage().contains("outDir"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> GptTrainOptions.reference().withTokenizer("wordpiece",
        10)).getMessage().startsWith("tokenizer"));
    var shortVal = assertThrows(IllegalArgumentException.class,
        () -> GptTraining.train(TEXT, "ab", tinyModel(), tiny(1, dir.resolve("short"))));
    assertTrue(shortVal.getMessage().contains("validation text has 2 tokens"), shortVal.getMessage());
  }
}
