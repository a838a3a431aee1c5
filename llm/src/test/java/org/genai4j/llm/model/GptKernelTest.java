package org.genai4j.llm.model;

import static org.junit.jupiter.api.Assertions.*;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.genai4j.common.train.Batch;
import org.genai4j.common.train.Gradients;
import org.genai4j.common.train.LrSchedule;
import org.genai4j.common.train.OptimizerConfig;
import org.genai4j.common.train.Trainer;
import org.genai4j.common.train.TrainerConfig;
import org.genai4j.llm.train.TokenBatches;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The hand-written training step computes the same loss and the same gradient for every
 * parameter as the SameDiff graph (in FLOAT: the graph cannot be cast to DOUBLE in M2.1), for
 * every combination of bias, positions and head tying, full and partial context lengths.
 */
class GptKernelTest {

  static Stream<Arguments> configs() {
    return Stream.of(
        Arguments.of(true, PositionalEncoding.LEARNED, true, 2, 8),
        Arguments.of(false, PositionalEncoding.SINUSOIDAL, false, 3, 5),
        Arguments.of(true, PositionalEncoding.SINUSOIDAL, true, 2, 6),
        Arguments.of(false, PositionalEncoding.LEARNED, false, 3, 8),
        Arguments.of(true, PositionalEncoding.LEARNED, false, 2, 3));
  }

  @ParameterizedTest
  @MethodSource("configs")
  void lossAndEveryGradientEqualSameDiffs(boolean bias, PositionalEncoding pe, boolean tie, int batch, int time) {
    GptConfig c = new GptConfig(11, 2, 2, 16, 8, 0.0, bias, pe, tie);
    GptModel model = new GptModel(c, batch, time, true, 5);
    randomizeWeights(model, 7);
    Random r = new Random(batch * 31L + time);
    Batch b = batch(r, c, batch, time);

    assertTrue(model.usesFastStep(), "no dropout: the hand-written step is the default");
    model.useFastStep(false);
    Gradients expected = copy(model.parameterGroups().get(0).computeGradients(b));
    model.useFastStep(true);
    Gradients actual = model.parameterGroups().get(0).computeGradients(b);

    assertEquals(expected.loss(), actual.loss(), 1e-5 * Math.abs(expected.loss()), "loss");
    assertEquals(model.weights().keySet(), actual.gradients().keySet(), "a gradient for every parameter");
    for (String name : model.weights().keySet()) {
      INDArray e = expected.gradients().get(name);
      INDArray a = actual.gradients().get(name);
      assertArrayEquals(e.shape(), a.shape(), name + " shape");
      double norm = e.norm2Number().doubleValue();
      assertTrue(norm > 1e-6, name + " has a non-trivial gradient");
      double rel = e.sub(a).norm2Number().doubleValue() / norm;
      assertTrue(rel < 1e-4, name + ": relative difference " + rel + " (norm " + norm + ")");
    }
  }

  /**
   * Splitting the batch over threads changes nothing but float rounding: 1, 2 and 3 shards (5
   * sequences: even and uneven splits) give the same loss and gradients.
   */
  @Test
  void shardedStepEqualsOneShard() {
    GptConfig c = new GptConfig(11, 2, 2, 16, 8, 0.0, true, PositionalEncoding.LEARNED, true);
    GptModel model = new GptModel(c, 5, 8, true, 5);
    randomizeWeights(model, 3);
    Batch b = batch(new Random(9), c, 5, 8);
    try {
      org.genai4j.common.util.Shards.setCount(1);
      Gradients one = copy(model.parameterGroups().get(0).computeGradients(b));
      for (int shards : new int[] {2, 3}) {
        org.genai4j.common.util.Shards.setCount(shards);
        Gradients many = model.parameterGroups().get(0).computeGradients(b);
        assertEquals(one.loss(), many.loss(), 1e-6 * one.loss(), shards + " shards: loss");
        for (String name : one.gradients().keySet()) {
          INDArray e = one.gradients().get(name);
          double rel = e.sub(many.gradients().get(name)).norm2Number().doubleValue() / e.norm2Number().doubleValue();
          assertTrue(rel < 1e-5, shards + " shards, " + name + ": relative difference " + rel);
        }
      }
    } finally {
      org.genai4j.common.util.Shards.setCount(0);
    }
  }

  /**
   * DL4J's layer_norm adds no epsilon, and neither does the kernel: with embeddings of scale 1e-3
   * (variance ~1e-6 into the first layer norm) an epsilon of 1e-5 would shrink the normalized
   * values by half and change the loss by far more than the tolerance.
   */
  @Test
  void layerNormHasNoEpsilonLikeTheGraph() {
    GptConfig c = new GptConfig(11, 1, 2, 16, 8, 0.0, true, PositionalEncoding.LEARNED, false);
    GptModel model = new GptModel(c, 2, 8, true, 5);
    randomizeWeights(model, 3);
    model.weights().get("wte").muli(1e-3 / 0.3);
    model.weights().get("wpe").muli(1e-3 / 0.3);
    Batch b = batch(new Random(4), c, 2, 8);
    double fast = model.parameterGroups().get(0).computeGradients(b).loss();
    model.useFastStep(false);
    double sameDiff = model.parameterGroups().get(0).computeGradients(b).loss();
    assertEquals(sameDiff, fast, 1e-5 * Math.abs(sameDiff));
  }

  /** Five AdamW steps through the Trainer give the same weights with either step. */
  @Test
  void trainerStepsMatchSameDiffs() {
    GptConfig c = new GptConfig(11, 2, 2, 16, 8, 0.0, true, PositionalEncoding.LEARNED, true);
    int[] data = new Random(2).ints(400, 0, c.vocabSize()).toArray();
    Map<String, INDArray> fast = train(c, data, true);
    Map<String, INDArray> sameDiff = train(c, data, false);
    for (String name : sameDiff.keySet()) {
      double rel = fast.get(name).sub(sameDiff.get(name)).norm2Number().doubleValue()
          / sameDiff.get(name).norm2Number().doubleValue();
      assertTrue(rel < 1e-4, name + ": relative difference " + rel);
    }
  }

  private static Map<String, INDArray> train(GptConfig c, int[] data, boolean fast) {
    GptModel model = new GptModel(c, 3, 8, true, 5);
    model.useFastStep(fast);
    new Trainer(model, OptimizerConfig.adamW(LrSchedule.constant(1e-2), 0.9, 0.99, 0.1),
        TrainerConfig.of(5, 3).withClipNorm(1.0).withLogEvery(5)).fit(new TokenBatches(data, 3, 8));
    Map<String, INDArray> w = new LinkedHashMap<>();
    model.weights().forEach((k, v) -> w.put(k, v.dup()));
    return w;
  }

  /** A second step after a weight change sees the new weights (the kernel reads the live arrays). */
  @Test
  void followsWeightUpdates() {
    GptConfig c = new GptConfig(11, 2, 2, 16, 8, 0.0, true, PositionalEncoding.LEARNED, true);
    GptModel model = new GptModel(c, 2, 8, true, 5);
    Batch b = batch(new Random(1), c, 2, 8);
    model.parameterGroups().get(0).computeGradients(b);
    randomizeWeights(model, 9);
    double fast = model.parameterGroups().get(0).computeGradients(b).loss();
    model.useFastStep(false);
    double sameDiff = model.parameterGroups().get(0).computeGradients(b).loss();
    assertEquals(sameDiff, fast, 1e-5 * Math.abs(sameDiff));
  }

  @Test
  void dropoutFallsBackToSameDiff() {
    GptConfig c = new GptConfig(11, 2, 2, 16, 8, 0.1, true, PositionalEncoding.LEARNED, true);
    GptModel training = new GptModel(c, 2, 8, true, 5);
    assertFalse(training.usesFastStep());
    assertThrows(IllegalStateException.class, () -> training.useFastStep(true));
    assertTrue(new GptModel(c, 2, 8, false, 5).usesFastStep(), "an evaluation graph has no dropout");
  }

  @Test
  void tokenOutsideVocabularyIsAClearError() {
    GptConfig c = new GptConfig(11, 1, 2, 16, 8, 0.0, true, PositionalEncoding.LEARNED, true);
    GptModel model = new GptModel(c, 1, 4, true, 5);
    INDArray x = Nd4j.createFromArray(new int[][] {{1, 2, 11, 3}});
    Batch b = new Batch(Map.of("x", x, "y", x.dup()), 1, 4);
    var e = assertThrows(IllegalArgumentException.class, () -> model.parameterGroups().get(0).computeGradients(b));
    assertTrue(e.getMessage().contains("token id 11"), e.getMessage());
  }

  static Batch batch(Random r, GptConfig c, int batch, int time) {
    int[][] x = new int[batch][time];
    int[][] y = new int[batch][time];
    for (int i = 0; i < batch; i++) {
      for (int t = 0; t < time; t++) {
        x[i][t] = r.nextInt(c.vocabSize());
        y[i][t] = r.nextInt(c.vocabSize());
      }
    }
    return new Batch(Map.of("x", Nd4j.createFromArray(x), "y", Nd4j.createFromArray(y)), batch, (long) batch * time);
  }

  /** Gains away from 1, biases away from 0, weights large enough that attention is far from uniform. */
  static void randomizeWeights(GptModel model, long seed) {
    Nd4j.getRandom().setSeed(seed);
    model.weights().forEach((name, w) -> {
      INDArray noise = Nd4j.randn(DataType.FLOAT, w.shape());
      if (name.endsWith("/g")) {
        w.assign(noise.muli(0.3).addi(1));
      } else if (name.endsWith("/b")) {
        w.assign(noise.muli(0.2));
      } else {
        w.assign(noise.muli(0.3));
      }
    });
  }

  static Gradients copy(Gradients g) {
    Map<String, INDArray> m = new LinkedHashMap<>();
    g.gradients().forEach((k, v) -> m.put(k, v.dup()));
    return new Gradients(g.loss(), m);
  }
}
