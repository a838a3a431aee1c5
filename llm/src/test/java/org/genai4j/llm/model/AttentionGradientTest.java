package org.genai4j.llm.model;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.genai4j.common.nn.Quiet;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The causal attention block's gradients (SameDiff's backward pass) against central finite
 * differences. A local check (common's GradientCheck was not yet available), in FLOAT: casting
 * the graph to DOUBLE fails in SameDiff M2.1 (scalar ops and some outputs keep FLOAT), so the step
 * is larger (1e-2) and the tolerance looser (2 %), which still catches a wrong or missing term.
 */
class AttentionGradientTest {

  @Test
  void attentionGradientsMatchFiniteDifferences() {
    checkBlock(false);
  }

  @Test
  void wholeBlockGradientsMatchFiniteDifferences() {
    checkBlock(true);
  }

  private void checkBlock(boolean wholeBlock) {
    int batch = 2, time = 4;
    GptConfig c = new GptConfig(5, 1, 2, 8, time, 0.0, true, PositionalEncoding.LEARNED, true);
    Nd4j.getRandom().setSeed(11);
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.var("input", Nd4j.randn(DataType.FLOAT, batch * time, c.nEmbd()));
    SDVariable mask = sd.constant("mask", Positions.causalMask(0, time));
    SDVariable out = wholeBlock
        ? Block.apply(sd, "blk", x, mask, c, batch, time, 0.0)
        : CausalSelfAttention.apply(sd, "attn", x, mask, c, batch, time, 0.0);
    // Weights large enough that attention is far from uniform.
    for (SDVariable v : sd.variables()) {
      if (v.getVariableType() == VariableType.VARIABLE && v.name().endsWith("/w")) {
        v.getArr().assign(Nd4j.randn(DataType.FLOAT, v.getArr().shape()).muli(0.5));
      }
    }
    SDVariable r = sd.constant("r", Nd4j.randn(DataType.FLOAT, batch * time, c.nEmbd()));
    out.mul(r).sum().rename("loss");
    sd.setLossVariables("loss");

    List<String> params = sd.variables().stream()
        .filter(v -> v.getVariableType() == VariableType.VARIABLE).map(SDVariable::name).toList();
    Map<String, INDArray> grads = Quiet.call(() -> sd.calculateGradients(Map.of(), params));
    Random rng = new Random(3);
    double eps = 1e-2;
    int checked = 0;
    for (String p : params) {
      INDArray arr = sd.getArrForVarName(p);
      assertEquals(DataType.FLOAT, arr.dataType());
      INDArray flat = arr.reshape(arr.length());
      INDArray g = grads.get(p).reshape(arr.length());
      for (int s = 0; s < Math.min(25, arr.length()); s++) {
        long i = arr.length() <= 25 ? s : rng.nextInt((int) arr.length());
        double orig = flat.getDouble(i);
        flat.putScalar(i, orig + eps);
        double up = loss(sd);
        flat.putScalar(i, orig - eps);
        double down = loss(sd);
        flat.putScalar(i, orig);
        double numeric = (up - down) / (2 * eps);
        double analytic = g.getDouble(i);
        double scale = Math.max(5e-2, Math.max(Math.abs(numeric), Math.abs(analytic)));
        assertTrue(Math.abs(numeric - analytic) / scale < 2e-2,
            p + "[" + i + "]: analytic " + analytic + " vs numeric " + numeric);
        checked++;
      }
    }
    assertTrue(checked > 100);
  }

  private static double loss(SameDiff sd) {
    return sd.output(Map.of(), "loss").get("loss").getDouble(0);
  }
}
