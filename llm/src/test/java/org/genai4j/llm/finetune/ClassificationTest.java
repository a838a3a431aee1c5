package org.genai4j.llm.finetune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.genai4j.common.ops.Param;
import org.genai4j.common.ops.Params;
import org.genai4j.common.ops.StepContext;
import org.genai4j.common.ops.Tensor;
import org.genai4j.llm.LlmModel;
import org.genai4j.llm.model.Gpt;
import org.genai4j.llm.model.GptConfig;
import org.genai4j.llm.tokenizer.CharTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The GPT classifier: its gradients, padding, learning a task, saving, and the SMS spam split. */
class ClassificationTest {
  @TempDir Path tmp;

  private static final String CHARS = "abcdefghij xyz";

  /** Texts of random letters; class 1 when the text holds an 'x' (which the head must find anywhere). */
  static LabeledTexts task(long seed, int n) {
    Random r = new Random(seed);
    List<String> texts = new ArrayList<>();
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      StringBuilder s = new StringBuilder();
      int len = 3 + r.nextInt(10);
      boolean x = i % 2 == 0;
      int at = r.nextInt(len);
      for (int j = 0; j < len; j++) {
        s.append(j == at && x ? 'x' : "abcdefghij ".charAt(r.nextInt(11)));
      }
      texts.add(s.toString());
      labels[i] = x ? 1 : 0;
    }
    return new LabeledTexts(texts, labels, List.of("no", "yes"));
  }

  @Test
  void gradientsMatchTheModelsOwnDifferences() {
    GptConfig c = GptConfig.of(CHARS.length(), 2, 2, 8, 16);
    Params params = Params.init(3);
    GptClassifier m = new GptClassifier(c, 3, params);
    int[] ids = {1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2};
    int[] last = {5, 2};
    int[] labels = {2, 0};
    StepContext ctx = StepContext.training(1, 0);
    params.list().forEach(Param::zeroGrad);
    m.loss(ctx, m.forward(ctx, ids, last, 2, 6), labels);
    m.backward(ctx);
    int checked = 0;
    for (Param p : params.list()) {
      if (p.name().equals("transformer.wpe.weight")) {
        continue;
      }
      float[] g = p.grad().toArray();
      Tensor v = p.value();
      for (int s = 0; s < Math.min(4, v.length()); s++) {
        int i = s * v.length() / Math.min(4, v.length());
        float keep = v.get(i);
        v.set(i, keep + 3e-3f);
        double up = m.loss(ctx, m.forward(ctx, ids, last, 2, 6), labels);
        v.set(i, keep - 3e-3f);
        double down = m.loss(ctx, m.forward(ctx, ids, last, 2, 6), labels);
        v.set(i, keep);
        double expected = (up - down) / 6e-3;
        assertEquals(expected, g[i], 2e-3 + 2e-2 * Math.abs(expected), p.name() + "[" + i + "]");
        checked++;
      }
    }
    assertTrue(checked > 40, "checked " + checked);
  }

  @Test
  void paddingAfterTheLastTokenChangesNothing() {
    GptClassifier m = new GptClassifier(GptConfig.of(CHARS.length(), 2, 2, 8, 16), 2, Params.init(4));
    StepContext ctx = StepContext.inference();
    float[] alone = m.forward(ctx, new int[] {3, 4, 5}, new int[] {2}, 1, 3).toArray();
    float[] padded = m.forward(ctx, new int[] {3, 4, 5, 0, 0, 0, 9}, new int[] {2}, 1, 7).toArray();
    assertArrayEquals(alone, padded, 1e-6f);
  }

  @Test
  void aSmallGptLearnsATaskAndTheSavedClassifierPredictsTheSame() throws Exception {
    CharTokenizer tok = CharTokenizer.fromCorpus(CHARS);
    LlmModel base = new LlmModel(new Gpt(GptConfig.of(tok.vocabSize(), 2, 2, 32, 16), Params.init(5)), tok, 0);
    LabeledTexts.Splits data = new LabeledTexts.Splits(task(1, 400), task(2, 100), task(3, 100));
    ClassifierOptions opts = ClassifierOptions.defaults(tmp.resolve("run")).withTrainLayers(-1).withIters(300)
        .withOptimizer(16, 3e-3, 0.0).withRun(7, 1, false, 100, 16);
    ClassificationTraining.Result r = ClassificationTraining.train(base, data, opts);
    assertTrue(r.accuracy().get("train") > 0.95 && r.accuracy().get("test") > 0.9, "accuracy " + r.accuracy());
    int[][] cm = r.confusion();
    assertEquals(100, cm[0][0] + cm[0][1] + cm[1][0] + cm[1][1]);
    assertEquals(r.totalParameters(), r.trainableParameters() + 0, "all of the (tied) model trains");
    TextClassifier loaded = TextClassifier.load(tmp.resolve("run"));
    for (String text : List.of("abcxab", "aaaa", "jjj x", "Ünseen 🤖 characters x")) {
      assertArrayEquals(r.classifier().classify(text).probabilities(), loaded.classify(text).probabilities(), 1e-6);
    }
    assertTrue(Files.readString(tmp.resolve("run/metrics.jsonl")).contains("val_accuracy"));
    // Only the head and the final norm: far fewer trainable parameters.
    ClassificationTraining.Result head = ClassificationTraining.train(base, data,
        opts.withOutDir(null).withTrainLayers(0).withIters(2).withRun(7, 1, false, 0, 16));
    assertEquals(32 * 2 + 2 + 32 * 2, head.trainableParameters(), "score.weight, score.bias, ln_f weight and bias");
  }

  @Test
  void loraTrainsOnlyTheAdaptersAndTheHeadSavesOnlyThemAndLearnsTheTask() throws Exception {
    CharTokenizer tok = CharTokenizer.fromCorpus(CHARS);
    Path basePath = tmp.resolve("base");
    new LlmModel(new Gpt(GptConfig.of(tok.vocabSize(), 2, 2, 32, 16), Params.init(5)), tok, 0).save(basePath);
    LlmModel base = LlmModel.open(basePath);
    java.util.Map<String, float[]> baseWeights = new java.util.HashMap<>();
    base.weights().list().forEach(p -> baseWeights.put(p.name(), p.value().toArray()));
    LabeledTexts.Splits data = new LabeledTexts.Splits(task(1, 400), task(2, 100), task(3, 100));
    ClassifierOptions opts = ClassifierOptions.defaults(tmp.resolve("lora")).withIters(300)
        .withOptimizer(16, 1e-2, 0.0).withRun(7, 1, false, 100, 16)
        .withLora(new LoraConfig(4, 8, LoraConfig.parseTargets("attn,MLP")));
    var inMemory = assertThrows(IllegalArgumentException.class, () -> ClassificationTraining.train(base, data, opts));
    assertTrue(inMemory.getMessage().contains("needs its base model as a folder"), inMemory.getMessage());
    ClassificationTraining.Result r = ClassificationTraining.train(base, BaseReference.of(basePath), data, opts);
    // Per block: c_attn 4x32 + 96x4, c_proj 4x32 + 32x4, c_fc 4x32 + 128x4, mlp.c_proj 4x128 + 32x4; the head 2x32 + 2.
    long adapters = 2 * ((4 * 32 + 96 * 4) + (4 * 32 + 32 * 4) + (4 * 32 + 128 * 4) + (4 * 128 + 32 * 4));
    assertEquals(adapters + 2 * 32 + 2, r.trainableParameters());
    assertTrue(r.trainableParameters() < 0.2 * r.totalParameters(), r.trainableParameters() + " of " + r.totalParameters());
    for (var p : r.classifier().model().params().list()) {
      if (baseWeights.containsKey(p.name())) {
        assertArrayEquals(baseWeights.get(p.name()), p.value().toArray(), p.name() + " of the base stays bit-identical");
      }
    }
    assertTrue(r.accuracy().get("train") > 0.9, "accuracy " + r.accuracy());

    // The run holds the adapters and the head, and no tensor of the base.
    Path run = tmp.resolve("lora");
    assertTrue(Files.notExists(run.resolve(TextClassifier.WEIGHTS)), "no full weights file");
    var saved = org.genai4j.common.io.SafetensorsFile.open(run.resolve(LoraRun.ADAPTERS)).entries().keySet();
    assertEquals(2 * 4 * 2 + 2, saved.size(), "A and B of 8 layers, the head's weight and bias: "
        + saved);
    assertTrue(saved.stream().allMatch(n -> LoraConfig.isAdapter(n) || n.startsWith("score.")), saved.toString());
    assertTrue(Files.size(run.resolve(LoraRun.ADAPTERS)) < 4 * r.trainableParameters() + 4096);

    TextClassifier loaded = TextClassifier.load(run);
    assertEquals(r.classifier().lora(), loaded.lora());
    for (String text : List.of("abxab", "jjjj", "x")) {
      assertArrayEquals(r.classifier().classify(text).probabilities(), loaded.classify(text).probabilities(), 0.0,
          "the reloaded classifier computes exactly the same");
    }
    double[] adapted = loaded.classify("jjjxaab").probabilities();
    TextClassifier merged = TextClassifier.load(run).withLoraMerged();
    assertEquals(null, merged.lora());
    assertEquals(r.totalParameters() - adapters, merged.model().params().count(), "no adapters left");
    assertArrayEquals(adapted, merged.classify("jjjxaab").probabilities(), 1e-5, "the merged model computes the same");

    // Moved together with its base, the run finds it by the relative path (and checks its SHA-256).
    Path moved = tmp.resolve("elsewhere");
    copyTree(basePath, moved.resolve("base"));
    copyTree(run, moved.resolve("lora"));
    Path movedBase = moved.resolve("base");
    Files.move(basePath, tmp.resolve("base-aside"));
    TextClassifier found = TextClassifier.load(moved.resolve("lora"));
    assertEquals(movedBase.toAbsolutePath().normalize(), found.lora().base().path());
    assertArrayEquals(adapted, found.classify("jjjxaab").probabilities(), 0.0);
    Files.move(tmp.resolve("base-aside"), basePath);

    // A changed base (trained further, replaced) or a missing one is named, in one line.
    Path saved0 = tmp.resolve("base-copy");
    Files.move(basePath, saved0);
    var missing = assertThrows(IllegalArgumentException.class, () -> TextClassifier.load(run));
    assertTrue(missing.getMessage().contains("the base model " + basePath.toAbsolutePath()) && missing.getMessage()
        .contains("is missing") && !missing.getMessage().contains("\n"), missing.getMessage());
    new LlmModel(new Gpt(GptConfig.of(tok.vocabSize(), 2, 2, 32, 16), Params.init(6)), tok, 0).save(basePath);
    var changed = assertThrows(IllegalArgumentException.class, () -> TextClassifier.load(run));
    assertTrue(changed.getMessage().contains("has changed since the run was trained") && changed.getMessage()
        .contains("sha256"), changed.getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> LoraConfig.parseTargets("ff-n"))
        .getMessage().contains("--lora-targets"));
  }

  private static void copyTree(Path from, Path to) throws java.io.IOException {
    try (var files = Files.walk(from)) {
      for (Path f : files.toList()) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
        }
      }
    }
  }

  @Test
  void loraTargetsThatSelectNoLayerAndARankAboveALayersWidthAreNamed() {
    GptConfig c = GptConfig.of(CHARS.length(), 1, 2, 8, 16);
    var none = assertThrows(IllegalArgumentException.class, () -> new GptClassifier(c, 2, Params.init(1),
        new LoraConfig(2, 4, LoraConfig.parseTargets("attn,q_proj"))));
    assertTrue(none.getMessage().startsWith("--lora-targets 'q_proj' selects no linear layer of this model; its blocks"
        + " have attn.c_attn, attn.c_proj, mlp.c_fc, mlp.c_proj"), none.getMessage());
    var wide = assertThrows(IllegalArgumentException.class, () -> new GptClassifier(c, 2, Params.init(1),
        new LoraConfig(9, 4, LoraConfig.parseTargets("c_proj"))));
    assertTrue(wide.getMessage().startsWith("--lora-rank 9 exceeds the width of transformer.h.0.attn.c_proj.weight [8, 8]:"
        + " at most 8"), wide.getMessage());
    // Layer names select single layers: c_fc alone adds A [2, 8] and B [32, 2] per block.
    Gpt g = new Gpt(c, Params.init(1));
    assertEquals(2 * 8 + 32 * 2, g.addLowRank(2, 4, LoraConfig.parseTargets("MLP.C_FC")));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new LoraConfig(0, 4, java.util.Set.of("attn")))
        .getMessage().contains("--lora-rank"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> LoraConfig.ofFlags(2, 0, "attn"))
        .getMessage().contains("--lora-alpha"));
    assertEquals(null, LoraConfig.ofFlags(0, 16, "attn"));
    // The shapes the check computes from a configuration are the ones the model builds (here a Llama: GQA, SwiGLU).
    GptConfig llama = GptConfig.llama(CHARS.length(), 1, 4, 1, 16, 16).withMlp(GptConfig.Mlp.SWIGLU, 0);
    Gpt built = new Gpt(llama, Params.init(1));
    for (String layer : Gpt.ADAPTABLE) {
      int[] s = built.params().get("transformer.h.0." + layer + ".weight").shape();
      int most = Math.min(s[0], s[1]);
      assertEquals(java.util.Set.of(layer), Gpt.checkLowRank(llama, most, java.util.Set.of(layer)));
      var e = assertThrows(IllegalArgumentException.class, () -> Gpt.checkLowRank(llama, most + 1,
          java.util.Set.of(layer)));
      assertTrue(e.getMessage().contains(layer + ".weight " + java.util.Arrays.toString(s) + ": at most " + most),
          e.getMessage());
    }
  }

  @Test
  void aRefusedLoraSettingLeavesNoRunFolderBehind() throws Exception {
    CharTokenizer tok = CharTokenizer.fromCorpus(CHARS);
    Path basePath = tmp.resolve("base");
    new LlmModel(new Gpt(GptConfig.of(tok.vocabSize(), 1, 2, 8, 16), Params.init(5)), tok, 0).save(basePath);
    LabeledTexts.Splits data = new LabeledTexts.Splits(task(1, 40), task(2, 10), task(3, 10));
    ClassifierOptions opts = ClassifierOptions.defaults(tmp.resolve("r")).withIters(2).withRun(1, 1, false, 0, 16);
    LlmModel base = LlmModel.open(basePath);
    BaseReference ref = BaseReference.of(basePath);
    assertThrows(IllegalArgumentException.class, () -> ClassificationTraining.train(base, ref, data,
        opts.withLora(new LoraConfig(2, 4, java.util.Set.of("q_proj")))));
    ClassificationTraining.train(base, ref, data, opts.withLora(new LoraConfig(2, 4, java.util.Set.of("attn"))));
    assertTrue(LoraRun.isIn(tmp.resolve("r")), "the same folder takes the corrected run");
  }

  @Test
  void aRunFolderIsNotOverwrittenAndBadSettingsAreNamed() {
    CharTokenizer tok = CharTokenizer.fromCorpus(CHARS);
    LlmModel base = new LlmModel(new Gpt(GptConfig.of(tok.vocabSize(), 1, 2, 8, 16), Params.init(5)), tok, 0);
    LabeledTexts.Splits data = new LabeledTexts.Splits(task(1, 40), task(2, 10), task(3, 10));
    ClassifierOptions opts = ClassifierOptions.defaults(tmp.resolve("r")).withIters(2).withRun(1, 1, false, 0, 16);
    ClassificationTraining.train(base, data, opts);
    assertThrows(IllegalArgumentException.class, () -> ClassificationTraining.train(base, data, opts));
    var e = assertThrows(IllegalArgumentException.class, () -> ClassificationTraining.train(base, data,
        opts.withOutDir(tmp.resolve("r2")).withTrainLayers(3)));
    assertTrue(e.getMessage().contains("exceeds the model's 1 layers"), e.getMessage());
    assertEquals(2, ClassifierOptions.parseTrainLayers("last-2"));
    assertEquals(-1, ClassifierOptions.parseTrainLayers("ALL"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ClassifierOptions.parseTrainLayers("top"))
        .getMessage().contains("--train-layers"));
  }

  @Test
  void theSmsSpamSplitIsLlmsFromScratchs() throws Exception {
    Path file = Path.of("").toAbsolutePath().getParent().getParent().resolve("shared/data/sms-spam/SMSSpamCollection");
    assumeTrue(Files.isRegularFile(file), "skipped: no SMS spam data at " + file);
    LabeledTexts all = LabeledTexts.readTsv(file, List.of("ham", "spam"));
    assertEquals(5574, all.size());
    LabeledTexts.Splits s = all.balancedSplit(123);
    assertEquals(List.of(1045, 149, 300), List.of(s.train().size(), s.validation().size(), s.test().size()));
    int spam = 0;
    for (LabeledTexts part : List.of(s.train(), s.validation(), s.test())) {
      for (int l : part.labels()) {
        spam += l;
      }
    }
    assertEquals(747, spam, "every spam message, and as many ham");
    Path bad = tmp.resolve("bad.tsv");
    Files.writeString(bad, "ham\tfine\nno tab here\n");
    var e = assertThrows(IllegalArgumentException.class, () -> LabeledTexts.readTsv(bad, List.of()));
    assertTrue(e.getMessage().contains("line 2"), e.getMessage());
  }
}
