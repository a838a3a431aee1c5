package org.genai4j.common.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.genai4j.common.testing.GradientCheck;
import org.genai4j.common.util.Quiet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Finite-difference checks of every block in {@link Layers}, and analytic checks of the two DL4J gets wrong. */
class LayersGradientTest {

  private static final DataType D = DataType.DOUBLE;

  @BeforeEach
  void seed() {
    Nd4j.getRandom().setSeed(42);
  }

  /** A scalar loss that weights every output element differently: sum(out * R). */
  private static SDVariable weightedSum(SameDiff sd, SDVariable out, long... shape) {
    return out.mul(sd.constant("R", Nd4j.rand(D, shape).subi(0.5))).sum().rename("loss");
  }

  @Test
  void linearGradientsMatchFiniteDifferences() {
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder("x", D, -1, 4);
    SDVariable y = Layers.linear(sd, "lin", x, 4, 3, true, 0.5);
    assertEquals(D, sd.getArrForVarName("lin/w").dataType(), "parameters follow the input's type");
    weightedSum(sd, sd.math.tanh(y), 5, 3);
    GradientCheck.of(sd, "loss", Map.of("x", Nd4j.rand(D, 5, 4))).variables("lin/w", "lin/b").assertCorrect();
  }

  @Test
  void layerNormGradientsMatchFiniteDifferencesForGainBiasAndInput() {
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.var("x", Nd4j.randn(D, 3, 6));
    SDVariable y = Layers.layerNorm(sd, "ln", x, 6);
    sd.getArrForVarName("ln/g").assign(Nd4j.rand(D, 6).addi(0.5)); // non-trivial gain so x's gradient is tested
    weightedSum(sd, y, 3, 6);
    GradientCheck.of(sd, "loss", Map.of()).variables("ln/g", "ln/b", "x").assertCorrect();
  }

  @Test
  void layerNormNormalizesEachRow() {
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.var("x", Nd4j.randn(DataType.FLOAT, 4, 8).muli(3).addi(2));
    SDVariable y = Layers.layerNorm(sd, "ln", x, 8);
    INDArray out = y.eval();
    for (int r = 0; r < 4; r++) {
      assertEquals(0, out.getRow(r).meanNumber().doubleValue(), 1e-5);
      assertEquals(1, out.getRow(r).var(false).getDouble(0), 1e-3);
    }
  }

  /** Indices with repeats: the gradient of a row looked up k times is the sum of k upstream rows. */
  private static final int[][] IDX = {{1, 3, 1}, {0, 1, 4}};

  @Test
  void embeddingGradientMatchesFiniteDifferencesAndAnalyticValue() {
    SameDiff sd = SameDiff.create();
    SDVariable idx = sd.constant("idx", Nd4j.createFromArray(IDX));
    SDVariable table = sd.var("wte", Nd4j.randn(D, 5, 4));
    SDVariable emb = Layers.embeddingLookup(sd, idx, table, 5);
    weightedSum(sd, emb, 6, 4);
    assertEquals(sd.getArrForVarName("wte").getRow(3), emb.eval().getRow(1));
    GradientCheck.of(sd, "loss", Map.of()).variables("wte").assertCorrect();
    INDArray grad = Quiet.call(() -> sd.calculateGradients(Map.of(), "wte")).get("wte");
    assertEquals(expectedEmbeddingGradient(sd.getArrForVarName("R")), grad);
  }

  private static INDArray expectedEmbeddingGradient(INDArray upstream) {
    INDArray expected = Nd4j.zeros(D, 5, 4);
    int row = 0;
    for (int[] r : IDX) {
      for (int i : r) {
        expected.getRow(i).addi(upstream.getRow(row++));
      }
    }
    return expected;
  }

  /**
   * DL4J M2.1's built-in gather gets this gradient wrong. Measured here (indices 1,3,1,0,1,4 into a
   * 5-row table, upstream rows R0..R5): the gradient's row v is R_v, the upstream row at position
   * v, for each looked-up v, instead of the sum of the upstream rows at the positions that looked v
   * up. Row 1 (looked up 3 times) gets R1 instead of R0 + R2 + R4; row 0 gets R0 instead of R3.
   * This test pins that behaviour so a DL4J upgrade that fixes it gets noticed.
   */
  @Test
  void builtInGatherGradientIsWrongInM21() {
    SameDiff sd = SameDiff.create();
    SDVariable table = sd.var("wte", Nd4j.randn(D, 5, 4));
    SDVariable emb = sd.gather(table, sd.constant("idx", Nd4j.createFromArray(1, 3, 1, 0, 1, 4)), 0);
    weightedSum(sd, emb, 6, 4);
    INDArray grad = Quiet.call(() -> sd.calculateGradients(Map.of(), "wte")).get("wte");
    INDArray upstream = sd.getArrForVarName("R");
    assertTrue(!grad.equalsWithEps(expectedEmbeddingGradient(upstream), 1e-6),
        "built-in gather gradient is now right: the one-hot workaround may be dropped");
    for (int v : new int[] {0, 1, 3, 4}) {
      assertEquals(upstream.getRow(v), grad.getRow(v), "measured M2.1 behaviour for row " + v);
    }
  }

  @Test
  void crossEntropyMatchesFiniteDifferencesAndAnalyticValue() {
    int n = 4, c = 3;
    INDArray logitsArr = Nd4j.randn(D, n, c).muli(2);
    INDArray labels = Nd4j.createFromArray(2, 0, 1, 2);
    SameDiff sd = SameDiff.create();
    SDVariable logits = sd.var("logits", logitsArr);
    Layers.crossEntropy(sd, "loss", logits, sd.constant("y", labels), c);
    GradientCheck.of(sd, "loss", Map.of()).variables("logits").assertCorrect();

    INDArray p = Transforms.softmax(logitsArr.dup(), true);
    INDArray oneHot = Nd4j.zeros(D, n, c);
    double expectedLoss = 0;
    for (int i = 0; i < n; i++) {
      oneHot.putScalar(i, labels.getInt(i), 1);
      expectedLoss -= Math.log(p.getDouble(i, labels.getInt(i))) / n;
    }
    assertEquals(expectedLoss, sd.output(Map.of(), "loss").get("loss").getDouble(0), 1e-12);
    INDArray grad = Quiet.call(() -> sd.calculateGradients(Map.of(), "logits")).get("logits");
    assertTrue(grad.equalsWithEps(p.sub(oneHot).divi(n), 1e-12), "grad " + grad + " expected " + p.sub(oneHot).divi(n));
  }

  /**
   * DL4J M2.1's {@code sparseSoftmaxCrossEntropy(...).mean()} has an N-times-too-large gradient:
   * measured here with N = 4 the ratio to the analytic gradient is exactly 4.
   */
  @Test
  void builtInSparseCrossEntropyGradientIsNTimesTooLargeInM21() {
    int n = 4, c = 3;
    INDArray logitsArr = Nd4j.randn(D, n, c);
    SameDiff sd = SameDiff.create();
    SDVariable logits = sd.var("logits", logitsArr);
    sd.loss.sparseSoftmaxCrossEntropy(logits, sd.constant("y", Nd4j.createFromArray(2, 0, 1, 2))).mean().rename("loss");
    INDArray builtIn = Quiet.call(() -> sd.calculateGradients(Map.of(), "logits")).get("logits");

    SameDiff ours = SameDiff.create();
    Layers.crossEntropy(ours, "loss", ours.var("logits", logitsArr.dup()),
        ours.constant("y", Nd4j.createFromArray(2, 0, 1, 2)), c);
    INDArray right = Quiet.call(() -> ours.calculateGradients(Map.of(), "logits")).get("logits");
    assertEquals(sd.output(Map.of(), "loss").get("loss").getDouble(0),
        ours.output(Map.of(), "loss").get("loss").getDouble(0), 1e-12, "the losses agree");
    assertTrue(builtIn.equalsWithEps(right.mul(n), 1e-12), "built-in/ours = " + builtIn.div(right));
  }

  @Test
  void gradientCheckNamesTheVariableAndWorstElementOfAWrongGradient() {
    // A graph whose SameDiff gradient is right, checked against a loss we then change behind its back
    // is awkward; instead check a FLOAT graph is refused and a wrong tolerance reports the worst element.
    SameDiff sd = SameDiff.create();
    sd.var("w", Nd4j.rand(DataType.FLOAT, 3)).mul(2).sum().rename("loss");
    var e = assertThrows(IllegalArgumentException.class, () -> GradientCheck.of(sd, "loss", Map.of()).run());
    assertTrue(e.getMessage().contains("'w'") && e.getMessage().contains("DOUBLE"), e.getMessage());

    SameDiff sd2 = SameDiff.create();
    sd2.var("w", Nd4j.rand(D, 2, 2).addi(1)).pow(3).sum().rename("loss");
    // A huge epsilon makes the central difference of x^3 off by e^2: the check must catch it.
    AssertionError err = assertThrows(AssertionError.class,
        () -> GradientCheck.of(sd2, "loss", Map.of()).epsilon(0.3).assertCorrect());
    assertTrue(err.getMessage().contains("'w' [2, 2]") && err.getMessage().contains("worst at ["), err.getMessage());
  }
}
