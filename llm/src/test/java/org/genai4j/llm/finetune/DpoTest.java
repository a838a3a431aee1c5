package org.genai4j.llm.finetune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.genai4j.common.ops.Param;
import org.genai4j.common.ops.Params;
import org.genai4j.common.ops.StepContext;
import org.genai4j.common.ops.Tensor;
import org.genai4j.common.train.Batch;
import org.genai4j.llm.LlmModel;
import org.genai4j.llm.model.Gpt;
import org.genai4j.llm.model.GptConfig;
import org.genai4j.llm.tokenizer.CharTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DPO: the gradients of the response log-probability, of the loss and of a whole step against
 * finite differences; a tuning on small preference data that widens the held-out log-probability
 * gap, leaves the reference bit-identical and saves a model that loads as any run.
 */
class DpoTest {
  private static final int I = InstructionBatches.IGNORE_INDEX;

  @TempDir Path tmp;

  @Test
  void responseLogProbAndItsGradientMatchDirectComputationAndFiniteDifferences() {
    Random r = new Random(1);
    int s = 3;
    int t = 4;
    int v = 5;
    float[] values = new float[s * t * v];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) (3 * r.nextGaussian());
    }
    // Sequence 0: three response targets; 1: one (prompt and padding ignored); 2: none at all.
    int[] targets = {I, 2, 4, 0, I, I, 3, I, I, I, I, I};
    double[] w = {0.7, -1.3, 2.0};
    for (ResponseLogProb.Reduction red : ResponseLogProb.Reduction.values()) {
      ResponseLogProb op = new ResponseLogProb(red);
      StepContext ctx = StepContext.training(1, 0);
      Tensor logits = Tensor.of(values.clone(), s, t, v);
      double[] lp = op.forward(ctx, logits, targets, s);
      // Directly: log softmax in double.
      for (int q = 0; q < s; q++) {
        double sum = 0;
        int n = 0;
        for (int p = 0; p < t; p++) {
          int y = targets[q * t + p];
          if (y == I) {
            continue;
          }
          double max = Double.NEGATIVE_INFINITY;
          for (int c = 0; c < v; c++) {
            max = Math.max(max, values[(q * t + p) * v + c]);
          }
          double z = 0;
          for (int c = 0; c < v; c++) {
            z += Math.exp(values[(q * t + p) * v + c] - max);
          }
          sum += values[(q * t + p) * v + y] - max - Math.log(z);
          n++;
        }
        double expected = red == ResponseLogProb.Reduction.MEAN && n > 0 ? sum / n : sum;
        assertEquals(expected, lp[q], 1e-5, red + " sequence " + q);
      }
      assertEquals(0.0, lp[2], "no response token: 0");
      float[] grad = op.backward(ctx, w).toArray();
      for (int i = 0; i < values.length; i++) {
        float keep = values[i];
        values[i] = keep + 1e-2f;
        double up = weighted(op, Tensor.of(values.clone(), s, t, v), targets, w);
        values[i] = keep - 1e-2f;
        double down = weighted(op, Tensor.of(values.clone(), s, t, v), targets, w);
        values[i] = keep;
        double expected = (up - down) / 2e-2;
        assertEquals(expected, grad[i], 1e-3 + 1e-2 * Math.abs(expected), red + " logit " + i);
      }
      // Over the logits themselves: the same values.
      Tensor inPlace = Tensor.of(values.clone(), s, t, v);
      ResponseLogProb over = new ResponseLogProb(red).gradientInLogits();
      over.forward(ctx, inPlace, targets, s);
      assertArrayEquals(grad, over.backward(ctx, w).toArray(), 1e-7f);
    }
    ResponseLogProb op = new ResponseLogProb(ResponseLogProb.Reduction.SUM);
    int[] bad = targets.clone();
    bad[1] = 9;
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> op.forward(StepContext.inference(), Tensor.of(values, s, t, v), bad, s)).getMessage()
        .contains("target 9 (sequence 0, position 1)"));
  }

  private static double weighted(ResponseLogProb op, Tensor logits, int[] targets, double[] w) {
    double[] lp = op.forward(StepContext.inference(), logits, targets, w.length);
    double sum = 0;
    for (int i = 0; i < w.length; i++) {
      sum += w[i] * lp[i];
    }
    return sum;
  }

  @Test
  void dpoLossAndItsGradientMatchTheFormulaAndFiniteDifferences() {
    DpoLoss loss = new DpoLoss(0.5);
    double[] pc = {-1.0, -2.5, -0.3};
    double[] pr = {-1.5, -2.0, -4.0};
    double[] rc = {-1.2, -2.2, -1.0};
    double[] rr = {-1.1, -2.4, -1.0};
    DpoLoss.Value v = loss.forward(StepContext.training(1, 0), pc, pr, rc, rr);
    double expected = 0;
    double margin = 0;
    for (int i = 0; i < 3; i++) {
      double z = 0.5 * ((pc[i] - rc[i]) - (pr[i] - rr[i]));
      expected += -Math.log(1 / (1 + Math.exp(-z))) / 3;
      margin += z / 3;
    }
    assertEquals(expected, v.loss(), 1e-12);
    assertEquals(margin, v.margin(), 1e-12);
    assertEquals(margin, v.chosenReward() - v.rejectedReward(), 1e-12);
    assertEquals((-1.0 - 2.5 - 0.3) / 3, v.chosenLogProb(), 1e-12);
    for (int i = 0; i < 3; i++) {
      for (double[] x : new double[][] {pc, pr}) {
        double keep = x[i];
        x[i] = keep + 1e-6;
        double up = loss.forward(StepContext.inference(), pc, pr, rc, rr).loss();
        x[i] = keep - 1e-6;
        double down = loss.forward(StepContext.inference(), pc, pr, rc, rr).loss();
        x[i] = keep;
        double analytic = x == pc ? v.dChosen()[i] : v.dRejected()[i];
        assertEquals((up - down) / 2e-6, analytic, 1e-8, (x == pc ? "chosen " : "rejected ") + i);
      }
    }
    // The policy equal to the reference: loss log 2, no margin; very large margins neither overflow nor lose the loss.
    DpoLoss.Value same = loss.forward(StepContext.inference(), pc, pr, pc, pr);
    assertEquals(Math.log(2), same.loss(), 1e-12);
    assertEquals(0.0, same.margin(), 1e-12);
    DpoLoss.Value far = new DpoLoss(100).forward(StepContext.inference(), new double[] {-1, -50},
        new double[] {-50, -1}, new double[] {0, 0}, new double[] {0, 0});
    assertEquals((0 + 100 * 49) / 2.0, far.loss(), 1e-6);
    assertTrue(Double.isFinite(far.dChosen()[0]) && Double.isFinite(far.dChosen()[1]));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new DpoLoss(0)).getMessage().contains("--beta"));
  }

  @Test
  void aStepsGradientsMatchTheModelsOwnDifferences() {
    CharTokenizer tok = CharTokenizer.fromCorpus("abcdefgh\n#");
    GptConfig c = GptConfig.of(tok.vocabSize(), 2, 2, 8, 16);
    Params params = Params.init(3);
    DpoStep step = new DpoStep(new Gpt(c, params), ResponseLogProb.Reduction.MEAN, 2.0);
    InstructionBatches.Encoder enc = new InstructionBatches.Encoder(tok, new int[] {1}, 16, false);
    List<PreferencePairs.Pair> pairs = List.of(
        new PreferencePairs.Pair(enc.encode("abc", "defg", "0c", x -> {}), enc.encode("abc", "hh", "0r", x -> {})),
        new PreferencePairs.Pair(enc.encode("ha", "ab", "1c", x -> {}), enc.encode("ha", "ccdd", "1r", x -> {})));
    double[][] reference = {{-2.0, -2.2}, {-1.9, -2.5}};
    Batch batch = PreferencePairs.batchOf(pairs, reference, 0);
    assertArrayEquals(new long[] {2, 2 * 7}, batch.get("x").shape(), "2 pairs, chosen and rejected of 7 inputs each");
    StepContext ctx = StepContext.training(1, 0);
    params.list().forEach(Param::zeroGrad);
    double loss = step.trainStep(batch, ctx).loss();
    // The loss as a function of the weights, in inference (the model has no dropout).
    java.util.function.DoubleSupplier f = () -> {
      double[][] lp = DpoTraining.logProbs(step.policy(), pairs, 2, 0, ResponseLogProb.Reduction.MEAN);
      return new DpoLoss(2.0).forward(StepContext.inference(), new double[] {lp[0][0], lp[1][0]},
          new double[] {lp[0][1], lp[1][1]}, new double[] {-2.0, -1.9}, new double[] {-2.2, -2.5}).loss();
    };
    assertEquals(f.getAsDouble(), loss, 1e-6);
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
        double up = f.getAsDouble();
        v.set(i, keep - 3e-3f);
        double down = f.getAsDouble();
        v.set(i, keep);
        double expected = (up - down) / 6e-3;
        assertEquals(expected, g[i], 2e-4 + 2e-2 * Math.abs(expected), p.name() + "[" + i + "]");
        checked++;
      }
    }
    assertTrue(checked > 40, "checked " + checked);
  }

  @Test
  void shardsOfABatchAddUpToTheWholeBatch() {
    CharTokenizer tok = CharTokenizer.fromCorpus("abcdefgh\n#");
    GptConfig c = GptConfig.of(tok.vocabSize(), 1, 2, 8, 16);
    Params params = Params.init(4);
    InstructionBatches.Encoder enc = new InstructionBatches.Encoder(tok, new int[] {1}, 16, false);
    List<PreferencePairs.Pair> pairs = new ArrayList<>();
    double[][] reference = new double[3][];
    for (int i = 0; i < 3; i++) {
      pairs.add(new PreferencePairs.Pair(enc.encode("ab" + i, "cd".repeat(i + 1), "c", x -> {}),
          enc.encode("ab" + i, "h", "r", x -> {})));
      reference[i] = new double[] {-2.0 - 0.1 * i, -2.1 + 0.05 * i};
    }
    Batch batch = PreferencePairs.batchOf(pairs, reference, 0);
    DpoStep whole = new DpoStep(new Gpt(c, params), ResponseLogProb.Reduction.SUM, 0.5);
    params.list().forEach(Param::zeroGrad);
    var all = whole.trainStep(batch, StepContext.training(1, 0));
    // Two shards, pairs [0, 2) and [2, 3), each on its own copy with gradients of its own.
    Params[] copies = {params.replica(), params.replica()};
    DpoStep[] steps = {new DpoStep(new Gpt(c, copies[0]), ResponseLogProb.Reduction.SUM, 0.5),
        new DpoStep(new Gpt(c, copies[1]), ResponseLogProb.Reduction.SUM, 0.5)};
    org.genai4j.common.ops.ShardExchange exchange = new org.genai4j.common.ops.ShardExchange(2);
    int[] bounds = {0, 2, 3};
    org.genai4j.common.train.StepLoss[] parts = new org.genai4j.common.train.StepLoss[2];
    for (Params p : copies) {
      p.list().forEach(Param::zeroGrad);
    }
    org.genai4j.common.util.Parallel.of(2).run(2, s -> parts[s] = steps[s].trainStep(
        batch.slice(bounds[s], bounds[s + 1]), StepContext.training(1, 0).forShard(s, bounds[s], exchange)));
    assertEquals(all.loss(), parts[0].loss() + parts[1].loss(), 1e-7);
    all.metrics().forEach((k, v) -> assertEquals(v, parts[0].metrics().get(k) + parts[1].metrics().get(k), 1e-7, k));
    for (Param p : params.list()) {
      float[] g = p.grad().toArray();
      float[] g0 = copies[0].get(p.name()).grad().toArray();
      float[] g1 = copies[1].get(p.name()).grad().toArray();
      for (int i = 0; i < g.length; i++) {
        assertEquals(g[i], g0[i] + g1[i], 1e-6 + 1e-4 * Math.abs(g[i]), p.name() + "[" + i + "]");
      }
    }
  }

  /**
   * Alpaca-like preference pairs in the style of LLMs-from-scratch's data, where the chosen
   * response is polite and the rejected one rude: "Sure, the answer is W." against "Ugh. W!" for a
   * random word W; held-out pairs have other words, so only the style can carry over.
   */
  static InstructionData preferences(long seed, int n) {
    Random r = new Random(seed);
    List<InstructionRecord> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      StringBuilder w = new StringBuilder();
      for (int k = 0; k < 3 + r.nextInt(4); k++) {
        w.append((char) ('a' + r.nextInt(26)));
      }
      String word = w.toString();
      out.add(new InstructionRecord("Repeat the word.", word, word, "Sure, the answer is " + word + ".",
          "Ugh. " + word + "!"));
    }
    return new InstructionData(out);
  }

  static LlmModel tinyBase(InstructionData data, int seed) {
    StringBuilder corpus = new StringBuilder("\n#");
    for (InstructionRecord rec : data.records()) {
      corpus.append(AlpacaPrompt.full(rec)).append(rec.chosen()).append(rec.rejected());
    }
    CharTokenizer tok = CharTokenizer.fromCorpus(corpus.toString());
    return new LlmModel(new Gpt(GptConfig.of(tok.vocabSize(), 2, 2, 32, 256), Params.init(seed)), tok, 0);
  }

  private static Map<String, float[]> snapshot(Params p) {
    Map<String, float[]> m = new LinkedHashMap<>();
    p.list().forEach(q -> m.put(q.name(), q.value().toArray()));
    return m;
  }

  @Test
  void tuningWidensTheHeldOutGapLeavesTheReferenceAloneAndSavesALoadableRun() throws Exception {
    InstructionData all = preferences(5, 80);
    InstructionData.Splits data = new InstructionData.Splits(new InstructionData(all.records().subList(0, 60)),
        new InstructionData(all.records().subList(60, 70)), new InstructionData(all.records().subList(70, 80)));
    LlmModel base = tinyBase(all, 7);
    Map<String, float[]> before = snapshot(base.weights());
    Path run = tmp.resolve("dpo");
    DpoOptions opts = DpoOptions.defaults(run).withSteps(30, 4, 1e-3).withRun(11, 2, false, 10);
    DpoTraining.Result r = DpoTraining.train(base, data, opts);

    Map<String, float[]> after = snapshot(base.weights());
    assertEquals(before.keySet(), after.keySet());
    before.forEach((name, values) -> assertArrayEquals(values, after.get(name), "reference " + name + " changed"));

    for (String split : List.of("val", "test")) {
      DpoTraining.Evaluation b = r.before().get(split);
      DpoTraining.Evaluation a = r.after().get(split);
      System.out.printf(java.util.Locale.ROOT, "DPO %s: log-prob gap %.4f -> %.4f, reward margin %.4f, loss %.4f%n",
          split, b.gap(), a.gap(), a.margin(), a.loss());
      assertEquals(Math.log(2), b.loss(), 1e-9, "the base against itself");
      // The base's standing is the reference's log-probabilities, scored in (length-sorted, threaded) batches.
      List<InstructionRecord> held = split.equals("val") ? data.validation().records() : data.test().records();
      InstructionBatches.Encoder encoder = InstructionBatches.Encoder.of(base.tokenizer(), 256, 1024, false);
      double[][] own = DpoTraining.logProbs(base.gpt(), PreferencePairs.encode(encoder, split, held, x -> {}), 1,
          encoder.pad(), ResponseLogProb.Reduction.MEAN);
      assertEquals(java.util.Arrays.stream(own).mapToDouble(p -> p[0]).average().orElseThrow(), b.chosenLogProb(), 1e-6);
      assertEquals(java.util.Arrays.stream(own).mapToDouble(p -> p[1]).average().orElseThrow(), b.rejectedLogProb(),
          1e-6);
      assertTrue(a.gap() > b.gap() + 0.5 && a.margin() > 0.05 && a.loss() < b.loss(),
          split + ": gap " + b.gap() + " -> " + a.gap() + ", margin " + a.margin() + ", loss " + a.loss());
    }
    assertEquals(r.totalParameters(), r.trainableParameters(), "the whole (tied) policy trains");

    List<String> lines = Files.readAllLines(run.resolve("metrics.jsonl"));
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    var first = json.readTree(lines.get(0));
    var last = json.readTree(lines.get(lines.size() - 1));
    assertEquals(0, first.get("step").asInt());
    assertEquals(0.0, first.get("eval/val_reward_margin").asDouble(), 1e-9);
    assertEquals(30, last.get("step").asInt());
    assertEquals(r.after().get("val").margin(), last.get("eval/val_reward_margin").asDouble(), 1e-9);
    for (String key : List.of("loss", "dpo/reward_margin", "dpo/chosen_reward", "dpo/rejected_reward",
        "dpo/chosen_logp", "dpo/rejected_logp", "eval/val_loss", "eval/val_chosen_logp", "eval/val_logp_gap")) {
      assertTrue(last.has(key), key + " in " + last);
    }

    LlmModel loaded = LlmModel.open(run);
    InstructionBatches.Encoder enc = InstructionBatches.Encoder.of(base.tokenizer(), 256, 1024, false);
    List<PreferencePairs.Pair> test = PreferencePairs.encode(enc, "test", data.test().records(), x -> {});
    double[][] tuned = DpoTraining.logProbs(r.model().gpt(), test, 4, enc.pad(), ResponseLogProb.Reduction.MEAN);
    double[][] reloaded = DpoTraining.logProbs(loaded.gpt(), test, 4, enc.pad(), ResponseLogProb.Reduction.MEAN);
    for (int i = 0; i < test.size(); i++) {
      assertArrayEquals(tuned[i], reloaded[i], 1e-6, "pair " + i);
    }
    assertTrue(assertThrows(IllegalArgumentException.class, () -> DpoTraining.train(base, data, opts))
        .getMessage().contains(run.toString()), "a run folder is not overwritten");
  }

  @Test
  void loraTrainsOnlyTheAdaptersAndSavesOnlyThem() {
    InstructionData all = preferences(6, 30);
    InstructionData.Splits data = new InstructionData.Splits(new InstructionData(all.records().subList(0, 20)),
        new InstructionData(all.records().subList(20, 25)), new InstructionData(all.records().subList(25, 30)));
    Path basePath = tmp.resolve("base");
    tinyBase(all, 8).save(basePath);
    LlmModel base = LlmModel.open(basePath);
    Map<String, float[]> before = snapshot(base.weights());
    Path run = tmp.resolve("lora");
    DpoOptions opts = DpoOptions.defaults(run).withSteps(6, 4, 1e-2).withRun(3, 1, false, 0)
        .withLora(new LoraConfig(2, 4, LoraConfig.parseTargets("attn")));
    DpoTraining.Result r = DpoTraining.train(base, BaseReference.of(basePath), data, opts, x -> {});
    // Per block: c_attn 2x32 + 96x2, c_proj 2x32 + 32x2.
    assertEquals(2 * ((2 * 32 + 96 * 2) + (2 * 32 + 32 * 2)), r.trainableParameters());
    before.forEach((name, values) -> assertArrayEquals(values, base.weights().get(name).value().toArray(), name));
    assertTrue(r.after().get("val").margin() != 0.0, "the adapters moved the policy");
    var saved = org.genai4j.common.io.SafetensorsFile.open(run.resolve("checkpoints/last/model.safetensors"))
        .entries().keySet();
    assertTrue(saved.size() == 8 && saved.stream().allMatch(LoraConfig::isAdapter), "adapters only: " + saved);
    LlmModel loaded = LlmModel.open(run);
    assertEquals(r.model().parameterCount(), loaded.parameterCount(), "the base and the adapters");
    InstructionBatches.Encoder enc = InstructionBatches.Encoder.of(base.tokenizer(), 256, 1024, false);
    List<PreferencePairs.Pair> val = PreferencePairs.encode(enc, "val", data.validation().records(), x -> {});
    double[][] tuned = DpoTraining.logProbs(r.model().gpt(), val, 4, enc.pad(), ResponseLogProb.Reduction.MEAN);
    double[][] reloaded = DpoTraining.logProbs(loaded.gpt(), val, 4, enc.pad(), ResponseLogProb.Reduction.MEAN);
    for (int i = 0; i < val.size(); i++) {
      assertArrayEquals(tuned[i], reloaded[i], 1e-6, "pair " + i);
    }
  }

  @Test
  void aContextThePromptsFillIsANamedError() {
    InstructionData all = preferences(6, 6);
    InstructionData.Splits data = new InstructionData.Splits(all, all, all);
    LlmModel base = tinyBase(all, 8);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DpoTraining.train(base, data,
        DpoOptions.defaults(null).withLength(40, false).withRun(1, 1, false, 0), x -> {}));
    assertTrue(e.getMessage().startsWith("every training pair was cut before its responses")
        && e.getMessage().contains("--max-length 40"), e.getMessage());
  }

  @Test
  void badInputIsNamed() {
    InstructionBatches.Encoder enc = new InstructionBatches.Encoder(CharTokenizer.fromCorpus("abc"), new int[0], 8,
        false);
    assertTrue(assertThrows(IllegalArgumentException.class, () -> PreferencePairs.encode(enc, "train",
        List.of(InstructionRecord.of("a", "", "b")), x -> {})).getMessage()
        .contains("train record 0 has no \"chosen\" and \"rejected\""));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> DpoOptions.defaults(null).withBeta(-1))
        .getMessage().contains("--beta"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> DpoOptions.defaults(null).withSteps(0, 8, 1e-3))
        .getMessage().contains("--iters"));
    InstructionBatches.Encoder strict = new InstructionBatches.Encoder(CharTokenizer.fromCorpus("abc"), new int[0], 4,
        true);
    assertTrue(assertThrows(IllegalArgumentException.class, () -> PreferencePairs.encode(strict, "validation",
        List.of(new InstructionRecord("a", "", "b", "abcabc", "c")), x -> {})).getMessage()
        .contains("validation record 0 (chosen)"));
  }
}
