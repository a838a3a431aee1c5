package org.genai4j.llm.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.genai4j.common.ops.Param;
import org.genai4j.common.ops.Params;
import org.genai4j.common.ops.StepContext;
import org.genai4j.common.ops.Tensor;
import org.genai4j.llm.model.GptConfig.Mlp;
import org.genai4j.llm.model.GptConfig.Norm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The whole model's loss, logits and every gradient against a plain double-precision GPT written
 * in the test ({@link ReferenceGpt}): gradients against its central differences, which are exact
 * to about 1e-9, for every element of every parameter; and against central differences of the
 * float model itself on a sample (its backward pass agrees with its own forward pass).
 */
class GptGradientTest {
  static final int BATCH = 2;
  static final int TIME = 5;

  static Stream<GptConfig> configs() {
    GptConfig gpt2 = GptConfig.of(11, 2, 2, 8, 6);
    return Stream.of(
        gpt2,
        gpt2.withTieWeights(false).withPositional(PositionalEncoding.SINUSOIDAL).withBias(false),
        gpt2.withPositional(PositionalEncoding.SINUSOIDAL),
        gpt2.withTieWeights(false).withBias(false),
        gpt2.withNorm(Norm.RMS).withMlp(Mlp.SWIGLU, 0),
        gpt2.withNorm(Norm.RMS).withMlp(Mlp.SWIGLU, 12).withTieWeights(false)
            .withPositional(PositionalEncoding.SINUSOIDAL).withBias(false),
        // Llamas: 4 query heads over 2 key/value heads, rotary positions in either layout.
        GptConfig.llama(11, 2, 4, 2, 8, 6).withNormEps(1e-6),
        GptConfig.llama(11, 1, 4, 1, 16, 6).withTieWeights(true)
            .withRotary(50, org.genai4j.common.ops.RotaryEmbedding.Layout.PAIRS));
  }

  /** Values far from the 0.02 init, so attention is not uniform and every term matters. */
  static void randomize(Params params, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    for (Param p : params.list()) {
      float[] v = new float[p.value().length()];
      boolean gain = p.name().endsWith(".weight") && p.shape().length == 1;
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (gain ? 1 + 0.2 * r.nextGaussian() : (p.shape().length == 1 ? 0.2 : 0.4) * r.nextGaussian());
      }
      p.value().write(0, v, 0, v.length);
    }
  }

  static int[] randomIds(long seed, int n, int vocab) {
    Random r = new Random(seed);
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) {
      ids[i] = r.nextInt(vocab);
    }
    return ids;
  }

  static Map<String, double[]> values(Params params) {
    Map<String, double[]> m = new LinkedHashMap<>();
    for (Param p : params.list()) {
      m.put(p.name(), p.value().toDoubles());
    }
    return m;
  }

  @ParameterizedTest
  @MethodSource("configs")
  void lossLogitsAndEveryGradientMatchTheReference(GptConfig c) {
    Params params = Params.init(3);
    Gpt gpt = new Gpt(c, params);
    randomize(params, 5);
    int[] ids = randomIds(7, BATCH * TIME, c.vocabSize());
    int[] targets = randomIds(8, BATCH * TIME, c.vocabSize());
    Map<String, double[]> p = values(params);
    ReferenceGpt ref = new ReferenceGpt(c, p);

    double[][] expectedLogits = ref.logits(ids, BATCH, TIME);
    double[] logits = gpt.forward(StepContext.inference(), ids, BATCH, TIME).toDoubles();
    for (int r = 0; r < expectedLogits.length; r++) {
      for (int v = 0; v < c.vocabSize(); v++) {
        double e = expectedLogits[r][v];
        assertEquals(e, logits[r * c.vocabSize() + v], 1e-4 * (1 + Math.abs(e)), c + ": logit " + r + "," + v);
      }
    }

    StepContext ctx = StepContext.training(1, 0);
    params.list().forEach(Param::zeroGrad);
    gpt.forward(ctx, ids, BATCH, TIME);
    double loss = gpt.loss(ctx, targets);
    gpt.backward(ctx);
    double expectedLoss = ref.loss(ids, targets, BATCH, TIME);
    assertEquals(expectedLoss, loss, 1e-5 * expectedLoss, c + ": loss");

    List<String> errors = new ArrayList<>();
    int checked = 0;
    for (Param q : params.list()) {
      double[] target = p.get(q.name());
      float[] grad = q.grad().toArray();
      for (int i = 0; i < target.length; i++) {
        double keep = target[i];
        double h = 1e-5;
        target[i] = keep + h;
        double up = ref.loss(ids, targets, BATCH, TIME);
        target[i] = keep - h;
        double down = ref.loss(ids, targets, BATCH, TIME);
        target[i] = keep;
        double expected = (up - down) / (2 * h);
        checked++;
        if (Math.abs(grad[i] - expected) > 2e-5 + 1e-3 * Math.abs(expected)) {
          errors.add(q.name() + "[" + i + "]: backward " + grad[i] + ", reference differences " + expected);
        }
      }
    }
    if (!errors.isEmpty()) {
      fail(c + ": " + errors.size() + " of " + checked + " gradient elements are wrong, e.g. "
          + errors.subList(0, Math.min(5, errors.size())));
    }
    assertEquals(params.count(), checked, "every element of every parameter");
    floatDifferencesAgree(gpt, params, ctx, ids, targets, 10);
  }

  /** The gradients of the last backward pass against central differences of the float model's own loss in {@code ctx}. */
  static void floatDifferencesAgree(Gpt gpt, Params params, StepContext ctx, int[] ids, int[] targets, int perTensor) {
    List<String> errors = new ArrayList<>();
    Map<String, float[]> grads = new LinkedHashMap<>();
    params.list().forEach(q -> grads.put(q.name(), q.grad().toArray()));
    for (Param q : params.list()) {
      Tensor v = q.value();
      float[] g = grads.get(q.name());
      int n = v.length();
      for (int s = 0; s < Math.min(n, perTensor); s++) {
        int i = (int) ((long) s * n / Math.min(n, perTensor));
        float keep = v.get(i);
        // Large enough for float's rounding, small enough for the curvature: at 1e-2 an embedding
        // row's second-order term (large under the rotary Llama's random weights) already shows.
        float h = 3e-3f;
        v.set(i, keep + h);
        gpt.forward(ctx, ids, BATCH, TIME);
        double up = gpt.loss(ctx, targets);
        v.set(i, keep - h);
        gpt.forward(ctx, ids, BATCH, TIME);
        double down = gpt.loss(ctx, targets);
        v.set(i, keep);
        double expected = (up - down) / (2.0 * h);
        if (Math.abs(g[i] - expected) > 2e-3 + 2e-2 * Math.abs(expected)) {
          errors.add(q.name() + "[" + i + "]: backward " + g[i] + ", float differences " + expected);
        }
      }
    }
    if (!errors.isEmpty()) {
      fail(errors.size() + " gradients disagree with the model's own differences, e.g. "
          + errors.subList(0, Math.min(5, errors.size())));
    }
  }

  /** With dropout the masks are a pure function of the context, so the float model's differences still apply. */
  @Test
  void gradientsWithDropoutMatchTheModelsOwnDifferences() {
    GptConfig c = GptConfig.of(11, 2, 2, 8, 6).withDropout(0.2).withTieWeights(false);
    Params params = Params.init(3);
    Gpt gpt = new Gpt(c, params);
    randomize(params, 6);
    int[] ids = randomIds(9, BATCH * TIME, c.vocabSize());
    int[] targets = randomIds(10, BATCH * TIME, c.vocabSize());
    StepContext ctx = StepContext.training(4, 2);
    params.list().forEach(Param::zeroGrad);
    gpt.forward(ctx, ids, BATCH, TIME);
    double loss = gpt.loss(ctx, targets);
    gpt.backward(ctx);
    ReferenceGpt ref = new ReferenceGpt(c, values(params));
    double clean = ref.loss(ids, targets, BATCH, TIME);
    assertTrue(Math.abs(loss - clean) > 1e-3, "dropout changed the training loss: " + loss + " vs " + clean);
    floatDifferencesAgree(gpt, params, ctx, ids, targets, 15);
  }
}
