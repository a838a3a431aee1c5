package org.genai4j.vae;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The Bernoulli reconstruction NLL is exact and finite for extreme logits, in FLOAT. */
class BernoulliLikelihoodTest {

  @Test
  void extremeLogitsGiveExactFiniteNll() {
    VaeConfig config = VaeConfig.mlp(1, 1, 6, List.of(4), 2);
    Vae vae = Vae.create(config, 1);
    // Zero output weights: the logits are the output bias, whatever z is.
    vae.sameDiff().getArrForVarName("dec/out/w").assign(0);
    float[] logits = {-1000f, -40f, 0f, 0.5f, 40f, 1000f};
    vae.sameDiff().getArrForVarName("dec/out/b").assign(Nd4j.createFromArray(logits));
    float[][] pixels = {{0, 1, 0, 1, 0, 1}, {1, 0, 1, 0.3f, 1, 0}};
    INDArray x = Nd4j.createFromArray(pixels);
    Map<String, INDArray> out = vae.sameDiff().output(
        Map.of(VaeGraph.X, x, VaeGraph.EPS, Nd4j.zeros(DataType.FLOAT, 2, 2)), VaeGraph.RECON);
    for (int i = 0; i < 2; i++) {
      double expected = 0;
      for (int j = 0; j < 6; j++) {
        double l = logits[j];
        expected += Math.max(l, 0) - pixels[i][j] * l + Math.log1p(Math.exp(-Math.abs(l)));
      }
      assertEquals(expected, out.get(VaeGraph.RECON).getDouble(i), 1e-3 * Math.abs(expected), "image " + i);
    }
  }
}
