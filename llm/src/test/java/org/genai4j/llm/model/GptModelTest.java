package org.genai4j.llm.model;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class GptModelTest {

  static GptConfig tiny(PositionalEncoding pe, boolean tie, boolean bias) {
    return new GptConfig(11, 2, 2, 16, 8, 0.0, bias, pe, tie);
  }

  static int[] randomTokens(Random r, int n, int vocab) {
    int[] t = new int[n];
    for (int i = 0; i < n; i++) t[i] = r.nextInt(vocab);
    return t;
  }

  /** Changing the token at position t changes no logit before t, and does change logits at t. */
  @Test
  void attentionIsCausal() {
    GptConfig c = tiny(PositionalEncoding.LEARNED, true, true);
    GptModel m = new GptModel(c, 1, 8, false, 3);
    int[] a = randomTokens(new Random(1), 8, c.vocabSize());
    for (int t = 1; t < 8; t++) {
      int[] b = a.clone();
      b[t] = (a[t] + 1) % c.vocabSize();
      INDArray la = m.logits(Nd4j.createFromArray(a).reshape(1, 8));
      INDArray lb = m.logits(Nd4j.createFromArray(b).reshape(1, 8));
      for (int p = 0; p < t; p++) {
        assertEquals(0.0, la.getRow(p).distance1(lb.getRow(p)), 0.0, "logits at " + p + " changed when token " + t + " changed");
      }
      assertTrue(la.getRow(t).distance1(lb.getRow(t)) > 1e-6, "logits at " + t + " did not react to token " + t);
    }
  }

  /** The plain-ND4J inference pass computes the same logits as the SameDiff graph. */
  @Test
  void inferenceMatchesGraph() {
    for (PositionalEncoding pe : PositionalEncoding.values()) {
      for (boolean tie : new boolean[] {true, false}) {
        for (boolean bias : new boolean[] {true, false}) {
          GptConfig c = tiny(pe, tie, bias);
          GptModel m = new GptModel(c, 1, 8, false, 5);
          int[] toks = randomTokens(new Random(2), 8, c.vocabSize());
          INDArray graph = m.logits(Nd4j.createFromArray(toks).reshape(1, 8));
          GptInference inf = new GptInference(c, m.weights());
          INDArray direct = inf.forward(toks, inf.newCache());
          double diff = graph.sub(direct).amaxNumber().doubleValue();
          assertTrue(diff < 1e-4, c + ": max |graph - inference| = " + diff);
        }
      }
    }
  }

  /** Feeding tokens one at a time through the KV cache gives the logits of the full pass. */
  @Test
  void kvCacheEqualsFullRecompute() {
    GptConfig c = tiny(PositionalEncoding.LEARNED, true, true);
    GptModel m = new GptModel(c, 1, 8, false, 7);
    GptInference inf = new GptInference(c, m.weights());
    int[] toks = randomTokens(new Random(3), 8, c.vocabSize());
    INDArray full = inf.forward(toks, inf.newCache());
    KvCache cache = inf.newCache();
    // A 3-token prefill, then single tokens.
    INDArray first = inf.forward(new int[] {toks[0], toks[1], toks[2]}, cache);
    assertTrue(first.sub(full.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 3), org.nd4j.linalg.indexing.NDArrayIndex.all())).amaxNumber().doubleValue() < 1e-4);
    for (int t = 3; t < 8; t++) {
      INDArray step = inf.forward(new int[] {toks[t]}, cache);
      double diff = step.getRow(0).sub(full.getRow(t)).amaxNumber().doubleValue();
      assertTrue(diff < 1e-4, "position " + t + ": max |cached - full| = " + diff);
    }
    assertEquals(8, cache.length());
    assertThrows(IllegalArgumentException.class, () -> inf.forward(new int[] {1}, cache));
  }

  @Test
  void badConfigsGiveClearErrors() {
    var e = assertThrows(IllegalArgumentException.class, () -> GptConfig.of(65, 4, 4, 130, 64));
    assertEquals("nEmbd 130 is not divisible by nHead 4 (each head gets nEmbd / nHead dimensions)", e.getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> GptConfig.of(65, 0, 4, 128, 64)).getMessage().contains("nLayer"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> new GptConfig(65, 1, 1, 8, 8, 1.0, true, PositionalEncoding.LEARNED, true)).getMessage().contains("dropout"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> new GptConfig(65, 1, 1, 7, 8, 0, true, PositionalEncoding.SINUSOIDAL, true)).getMessage().contains("even"));
  }

  @Test
  void configRoundTripsThroughJson() {
    GptConfig c = new GptConfig(65, 4, 4, 128, 64, 0.1, false, PositionalEncoding.SINUSOIDAL, false);
    assertEquals(c, GptConfig.fromJson(c.toJson()));
  }
}
