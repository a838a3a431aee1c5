package org.genai4j.llm.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.genai4j.common.ops.KvCache;
import org.genai4j.common.ops.Params;
import org.genai4j.common.ops.StepContext;
import org.genai4j.common.train.Batch;
import org.genai4j.common.train.LrSchedule;
import org.genai4j.common.train.OptimizerConfig;
import org.genai4j.common.train.Trainer;
import org.genai4j.common.train.TrainerConfig;
import org.genai4j.llm.model.GptConfig.Mlp;
import org.genai4j.llm.model.GptConfig.Norm;
import org.genai4j.llm.train.TokenBatches;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The model's behaviour: decoding with the cache, causality, names, sharding, dropout, variants, bad input. */
class GptTest {

  static GptConfig tiny() {
    return GptConfig.of(11, 2, 2, 16, 8);
  }

  static Gpt randomized(GptConfig c, long seed) {
    Params p = Params.init(seed);
    Gpt gpt = new Gpt(c, p);
    GptGradientTest.randomize(p, seed + 1);
    return gpt;
  }

  @Test
  void decodingWithTheKvCacheGivesTheFullForwardsLogits() {
    for (GptConfig c : List.of(tiny(), tiny().withPositional(PositionalEncoding.SINUSOIDAL).withTieWeights(false),
        tiny().withNorm(Norm.RMS).withMlp(Mlp.SWIGLU, 0).withBias(false))) {
      Gpt gpt = randomized(c, 3);
      int v = c.vocabSize();
      int[] ids = GptGradientTest.randomIds(4, 2 * 8, v);
      StepContext ctx = StepContext.inference();
      float[] full = gpt.forward(ctx, ids, 2, 8).toArray();
      KvCache cache = gpt.newCache(2);
      // A prefill of 3 positions, then one token at a time, for 2 sequences at once.
      int[] step = new int[2 * 3];
      for (int b = 0; b < 2; b++) {
        System.arraycopy(ids, b * 8, step, b * 3, 3);
      }
      float[] prefill = gpt.forward(ctx, step, 2, 3, cache).toArray();
      for (int b = 0; b < 2; b++) {
        for (int t = 0; t < 3; t++) {
          for (int k = 0; k < v; k++) {
            assertEquals(full[(b * 8 + t) * v + k], prefill[(b * 3 + t) * v + k], 1e-4, c + ": prefill " + b + "," + t);
          }
        }
      }
      for (int t = 3; t < 8; t++) {
        int[] next = {ids[t], ids[8 + t]};
        float[] one = gpt.forward(ctx, next, 2, 1, cache).toArray();
        for (int b = 0; b < 2; b++) {
          for (int k = 0; k < v; k++) {
            assertEquals(full[(b * 8 + t) * v + k], one[b * v + k], 1e-4, c + ": position " + t + ", sequence " + b);
          }
        }
      }
      assertEquals(8, cache.length());
      var e = assertThrows(IllegalArgumentException.class, () -> gpt.forward(ctx, new int[] {1, 2}, 2, 1, cache));
      assertTrue(e.getMessage().contains("block size 8"), e.getMessage());
    }
  }

  /** Changing the token at position t changes no logit before t, and does change logits at t. */
  @Test
  void aPositionSeesOnlyItselfAndEarlierOnes() {
    GptConfig c = tiny();
    Gpt gpt = randomized(c, 5);
    int v = c.vocabSize();
    int[] a = GptGradientTest.randomIds(6, 8, v);
    StepContext ctx = StepContext.inference();
    float[] la = gpt.forward(ctx, a, 1, 8).toArray();
    for (int t = 1; t < 8; t++) {
      int[] b = a.clone();
      b[t] = (a[t] + 1) % v;
      float[] lb = gpt.forward(ctx, b, 1, 8).toArray();
      assertArrayEquals(Arrays.copyOf(la, t * v), Arrays.copyOf(lb, t * v), "logits before " + t);
      assertFalse(Arrays.equals(Arrays.copyOfRange(la, t * v, (t + 1) * v), Arrays.copyOfRange(lb, t * v, (t + 1) * v)),
          "logits at " + t + " react to token " + t);
    }
  }

  @Test
  void parametersCarryNanoGptsStateDictNames() {
    Params p = Params.init(1);
    new Gpt(GptConfig.of(11, 1, 2, 8, 4), p);
    List<String> block = List.of("ln_1.weight", "ln_1.bias", "attn.c_attn.weight", "attn.c_attn.bias",
        "attn.c_proj.weight", "attn.c_proj.bias", "ln_2.weight", "ln_2.bias", "mlp.c_fc.weight", "mlp.c_fc.bias",
        "mlp.c_proj.weight", "mlp.c_proj.bias");
    List<String> expected = new ArrayList<>(List.of("transformer.wte.weight", "transformer.wpe.weight"));
    block.forEach(n -> expected.add("transformer.h.0." + n));
    expected.addAll(List.of("transformer.ln_f.weight", "transformer.ln_f.bias"));
    assertEquals(expected, List.copyOf(p.byName().keySet()));
    assertArrayEquals(new int[] {24, 8}, p.get("transformer.h.0.attn.c_attn.weight").shape());
    assertArrayEquals(new int[] {32, 8}, p.get("transformer.h.0.mlp.c_fc.weight").shape());
    assertArrayEquals(new int[] {8, 32}, p.get("transformer.h.0.mlp.c_proj.weight").shape());

    Params untied = Params.init(1);
    new Gpt(GptConfig.of(11, 1, 2, 8, 4).withTieWeights(false).withBias(false)
        .withPositional(PositionalEncoding.SINUSOIDAL).withNorm(Norm.RMS).withMlp(Mlp.SWIGLU, 12), untied);
    assertEquals(List.of("transformer.wte.weight", "transformer.h.0.ln_1.weight", "transformer.h.0.attn.c_attn.weight",
        "transformer.h.0.attn.c_proj.weight", "transformer.h.0.ln_2.weight", "transformer.h.0.mlp.c_fc.weight",
        "transformer.h.0.mlp.c_proj.weight", "transformer.ln_f.weight", "lm_head.weight"),
        List.copyOf(untied.byName().keySet()));
    assertArrayEquals(new int[] {24, 8}, untied.get("transformer.h.0.mlp.c_fc.weight").shape(), "gate and up, 2H");
    assertArrayEquals(new int[] {8, 12}, untied.get("transformer.h.0.mlp.c_proj.weight").shape());
    assertArrayEquals(new int[] {11, 8}, untied.get("lm_head.weight").shape());
  }

  @Test
  void gpt2InitializationScalesTheResidualProjections() {
    Params p = Params.init(2);
    new Gpt(GptConfig.of(64, 8, 4, 64, 16), p);
    assertEquals(0.02, std(p.get("transformer.wte.weight").value().toArray()), 0.002);
    assertEquals(0.02, std(p.get("transformer.h.3.attn.c_attn.weight").value().toArray()), 0.002);
    assertEquals(0.02 / 4, std(p.get("transformer.h.3.attn.c_proj.weight").value().toArray()), 0.0005);
    assertEquals(0.02 / 4, std(p.get("transformer.h.3.mlp.c_proj.weight").value().toArray()), 0.0005);
    assertEquals(0.0, std(p.get("transformer.h.3.mlp.c_fc.bias").value().toArray()), 0.0);
    assertTrue(Arrays.equals(p.get("transformer.ln_f.weight").value().toArray(), filled(64, 1f)));
  }

  private static double std(float[] v) {
    double s = 0;
    for (float x : v) {
      s += x * x;
    }
    return Math.sqrt(s / v.length);
  }

  private static float[] filled(int n, float value) {
    float[] a = new float[n];
    Arrays.fill(a, value);
    return a;
  }

  private static Params train(GptConfig c, int threads, int steps, int batch) {
    Params params = Params.init(11);
    Gpt gpt = new Gpt(c, params);
    int[] data = GptGradientTest.randomIds(12, 400, c.vocabSize());
    Trainer t = new Trainer(new GptTrainable(gpt),
        OptimizerConfig.adamW(LrSchedule.warmupCosine(1e-2, 1e-3, 2, steps), 0.9, 0.99, 0.1),
        TrainerConfig.of(steps, 13).withClipNorm(1.0).withThreads(threads));
    t.fit(new TokenBatches(data, batch, c.blockSize()));
    return params;
  }

  @Test
  void aBatchSplitOverTwoOrThreeThreadsTrainsAsOnOne() {
    // Batch 5: 3 + 2 and 2 + 2 + 1 sequences; dropout on, whose masks must not depend on the split.
    GptConfig c = tiny().withDropout(0.1);
    Params one = train(c, 1, 4, 5);
    for (int threads : new int[] {2, 3}) {
      Params many = train(c, threads, 4, 5);
      for (String name : one.byName().keySet()) {
        float[] a = one.get(name).value().toArray();
        float[] b = many.get(name).value().toArray();
        for (int i = 0; i < a.length; i++) {
          assertEquals(a[i], b[i], 1e-5, threads + " threads: " + name + "[" + i + "]");
        }
      }
    }
  }

  @Test
  void dropoutIsAFunctionOfTheSeedAndStep() {
    GptConfig c = tiny().withDropout(0.1);
    Gpt gpt = randomized(c, 7);
    int[] ids = GptGradientTest.randomIds(8, 16, c.vocabSize());
    float[] a = gpt.forward(StepContext.training(3, 5), ids, 2, 8).toArray();
    float[] b = gpt.forward(StepContext.training(3, 5), ids, 2, 8).toArray();
    float[] otherStep = gpt.forward(StepContext.training(3, 6), ids, 2, 8).toArray();
    float[] inference = gpt.forward(StepContext.inference(), ids, 2, 8).toArray();
    assertArrayEquals(a, b, "same seed and step, same masks");
    assertFalse(Arrays.equals(a, otherStep), "another step draws other masks");
    assertFalse(Arrays.equals(a, inference), "inference does not drop");
    Gpt clean = randomized(tiny(), 7);
    assertArrayEquals(inference, clean.forward(StepContext.inference(), ids, 2, 8).toArray(),
        "in inference the dropout model is the same function as without dropout");
    // Two runs with the same seed give the same weights.
    Params r1 = train(c, 2, 3, 4);
    Params r2 = train(c, 2, 3, 4);
    for (String name : r1.byName().keySet()) {
      assertArrayEquals(r1.get(name).value().toArray(), r2.get(name).value().toArray(), name);
    }
  }

  /** A Llama-style block (RMS norm, SwiGLU) by configuration alone, and GPT-2's with dropout: both learn. */
  @Test
  void variantsTrainByConfigurationAlone() {
    for (GptConfig c : List.of(tiny().withNorm(Norm.RMS).withMlp(Mlp.SWIGLU, 0).withBias(false),
        tiny().withDropout(0.1))) {
      // A text that repeats, so the next token is predictable.
      int[] data = new int[300];
      for (int i = 0; i < data.length; i++) {
        data[i] = (i * 7 + i / 11) % c.vocabSize();
      }
      Trainer t = new Trainer(new GptTrainable(new Gpt(c, Params.init(4))),
          OptimizerConfig.adamW(LrSchedule.warmupCosine(1e-2, 1e-3, 5, 60), 0.9, 0.99, 0.0),
          TrainerConfig.of(60, 3).withClipNorm(1.0).withLogEvery(10));
      List<Double> losses = new ArrayList<>();
      t.addListener(r -> losses.add(r.loss()));
      t.fit(new TokenBatches(data, 4, c.blockSize()));
      double first = losses.get(0);
      double last = losses.get(losses.size() - 1);
      assertTrue(first > 2.0 && last < 0.5 * first, c + ": loss " + losses);
    }
  }

  @Test
  void batchIdsAreReadFromAShardsRowsAsTheyAre() {
    int[] ids = GptGradientTest.randomIds(1, 5 * 4, 50);
    INDArray x = Nd4j.createFromArray(ids).reshape(5, 4);
    Batch whole = new Batch(Map.of("x", x), 5, 20);
    Batch shard = whole.slice(2, 5);
    int[] got = TokenBatches.ids(shard, "x", new int[1]);
    assertArrayEquals(Arrays.copyOfRange(ids, 8, 20), got);
    int[] reuse = new int[30];
    assertTrue(TokenBatches.ids(whole, "x", reuse) == reuse, "a large enough array is reused");
    assertArrayEquals(ids, Arrays.copyOf(reuse, 20));
    Batch longs = new Batch(Map.of("x", x.castTo(DataType.LONG)), 5, 20).slice(1, 3);
    assertArrayEquals(Arrays.copyOfRange(ids, 4, 12), TokenBatches.ids(longs, "x", null));
  }

  @Test
  void aTokenOutsideTheVocabularyIsNamed() {
    Gpt gpt = new Gpt(tiny(), Params.init(1));
    var e = assertThrows(IllegalArgumentException.class,
        () -> gpt.forward(StepContext.inference(), new int[] {1, 11}, 1, 2));
    assertTrue(e.getMessage().contains("transformer.wte.weight") && e.getMessage().contains("id 11"), e.getMessage());
  }

  @Test
  void badConfigsGiveOneLineErrorsNamingTheField() {
    var e = assertThrows(IllegalArgumentException.class, () -> GptConfig.of(65, 4, 4, 130, 64));
    assertEquals("nEmbd 130 is not divisible by nHead 4 (each head gets nEmbd / nHead dimensions)", e.getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> GptConfig.of(65, 0, 4, 128, 64)).getMessage()
        .startsWith("nLayer"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> tiny().withDropout(1.0)).getMessage()
        .startsWith("dropout"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> GptConfig.of(65, 1, 1, 7, 8).withPositional(PositionalEncoding.SINUSOIDAL)).getMessage().contains("even"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> tiny().withMlp(Mlp.SWIGLU, -1)).getMessage()
        .startsWith("mlpHidden"));
    assertEquals("--norm must be layer or rms, got 'batch'",
        assertThrows(IllegalArgumentException.class, () -> Norm.parse("batch", "--norm")).getMessage());
    assertEquals(Mlp.SWIGLU, Mlp.parse("SwiGLU", "--mlp"));
    var json = assertThrows(IllegalArgumentException.class, () -> GptConfig.fromJson("{\"vocabSize\":5,\"nLayer\":1,"
        + "\"nHead\":3,\"nEmbd\":8,\"blockSize\":4,\"dropout\":0,\"bias\":true,\"positional\":\"LEARNED\","
        + "\"tieWeights\":true}"));
    assertEquals("GPT configuration: nEmbd 8 is not divisible by nHead 3 (each head gets nEmbd / nHead dimensions)",
        json.getMessage());
  }

  @Test
  void configRoundTripsThroughJsonAndOlderFilesRead() {
    GptConfig c = GptConfig.of(65, 4, 4, 128, 64).withDropout(0.1).withBias(false)
        .withPositional(PositionalEncoding.SINUSOIDAL).withTieWeights(false).withNorm(Norm.RMS).withMlp(Mlp.SWIGLU, 344);
    assertEquals(c, GptConfig.fromJson(c.toJson()));
    GptConfig llama = GptConfig.llama(512, 5, 8, 4, 64, 512).withNormEps(1e-6)
        .withRotary(500000, org.genai4j.common.ops.RotaryEmbedding.Layout.PAIRS);
    assertEquals(llama, GptConfig.fromJson(llama.toJson()));
    assertEquals(4, llama.kvHeads());
    assertEquals(4, GptConfig.reference().kvHeads(), "one key/value head per head by default");
    // A gpt.json of the version before norm and mlp existed.
    String old = "{\"vocabSize\":65,\"nLayer\":4,\"nHead\":4,\"nEmbd\":128,\"blockSize\":64,\"dropout\":0.0,"
        + "\"bias\":true,\"positional\":\"LEARNED\",\"tieWeights\":true}";
    assertEquals(GptConfig.reference(), GptConfig.fromJson(old));
    assertEquals(512, GptConfig.reference().hiddenSize());
    assertEquals(344, GptConfig.reference().withMlp(Mlp.SWIGLU, 0).hiddenSize(), "8C/3 rounded up to a multiple of 8");
  }

  @Test
  void theCacheIsForInferenceOnly() {
    Gpt gpt = new Gpt(tiny(), Params.init(1));
    KvCache cache = gpt.newCache(1);
    var e = assertThrows(IllegalArgumentException.class,
        () -> gpt.forward(StepContext.training(1, 1), new int[] {1}, 1, 1, cache));
    assertTrue(e.getMessage().contains("inference only"), e.getMessage());
  }
}
