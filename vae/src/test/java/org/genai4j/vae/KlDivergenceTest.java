package org.genai4j.vae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The graph's analytic KL(q(z|x) || N(0, I)) against a Monte Carlo estimate of E_q[log q - log p]. */
class KlDivergenceTest {

  @Test
  void analyticKlMatchesMonteCarlo() {
    VaeConfig config = VaeConfig.mlp(1, 3, 3, List.of(8), 3);
    Vae vae = new Vae(config, 11, DataType.DOUBLE);
    // Spread the posterior so the KL is far from 0 and the check is not trivial.
    vae.sameDiff().getArrForVarName("enc/mu/w").muli(6);
    vae.sameDiff().getArrForVarName("enc/logvar/b").addi(-1.5);
    INDArray x = Nd4j.rand(DataType.DOUBLE, 4, 9);
    Map<String, INDArray> out = vae.sameDiff().output(
        Map.of(VaeGraph.X, x, VaeGraph.EPS, Nd4j.zeros(DataType.DOUBLE, 4, 3)), VaeGraph.MU, VaeGraph.LOGVAR, VaeGraph.KL);
    double[] analytic = out.get(VaeGraph.KL).toDoubleVector();
    Random rng = new Random(5);
    int samples = 100_000;
    for (int i = 0; i < 4; i++) {
      double[] mu = out.get(VaeGraph.MU).getRow(i).toDoubleVector();
      double[] lv = out.get(VaeGraph.LOGVAR).getRow(i).toDoubleVector();
      double sum = 0;
      double sumSq = 0;
      for (int s = 0; s < samples; s++) {
        double logRatio = 0;
        for (int j = 0; j < mu.length; j++) {
          double e = rng.nextGaussian();
          double z = mu[j] + Math.exp(0.5 * lv[j]) * e;
          double logQ = -0.5 * Math.log(2 * Math.PI) - 0.5 * lv[j] - 0.5 * e * e;
          double logP = -0.5 * Math.log(2 * Math.PI) - 0.5 * z * z;
          logRatio += logQ - logP;
        }
        sum += logRatio;
        sumSq += logRatio * logRatio;
      }
      double mc = sum / samples;
      double stdErr = Math.sqrt((sumSq / samples - mc * mc) / samples);
      assertTrue(analytic[i] > 0.5, "KL should be clearly positive here, got " + analytic[i]);
      assertEquals(mc, analytic[i], 5 * stdErr + 1e-9, "image " + i + ": analytic " + analytic[i] + " MC " + mc);
    }
  }
}
