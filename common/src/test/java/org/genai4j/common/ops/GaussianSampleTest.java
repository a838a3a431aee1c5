package org.genai4j.common.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.genai4j.common.testing.OpCheck;
import org.junit.jupiter.api.Test;

class GaussianSampleTest {
  private static final long STREAM = 17;

  /** {@code z = mu + exp(lv / 2) eps}, eps of row r drawn from {@code ctx.random(STREAM, r)} in order. */
  static double[] reference(double[] x, int z, StepContext ctx) {
    int rows = x.length / (2 * z);
    double[] out = new double[rows * z];
    for (int r = 0; r < rows; r++) {
      SplittableRandom rng = ctx.random(STREAM, r);
      for (int j = 0; j < z; j++) {
        double eps = (float) rng.nextGaussian();
        out[r * z + j] = x[r * 2 * z + j] + Math.exp(x[r * 2 * z + z + j] / 2) * eps;
      }
    }
    return out;
  }

  @Test
  void reparameterizesAndMatchesFiniteDifferences() {
    StepContext ctx = StepContext.training(5, 2);
    OpCheck.of(new GaussianSample(STREAM), LinearTest.random(1, 4, 6), (x, p) -> reference(x, 3, ctx)).context(ctx)
        .assertCorrect();
  }

  @Test
  void theNoiseOfARowDoesNotDependOnTheShards() throws Exception {
    Tensor x = LinearTest.random(2, 5, 4);
    StepContext base = StepContext.training(9, 4);
    float[] whole = new GaussianSample(STREAM).forward(base, x).toArray();
    int[] bounds = {0, 3, 5};
    List<float[]> parts = ShardThreads.run(base, new int[] {0, 3},
        (s, ctx) -> new GaussianSample(STREAM).forward(ctx, x.rowRange(bounds[s], bounds[s + 1])).toArray());
    float[] joined = new float[whole.length];
    System.arraycopy(parts.get(0), 0, joined, 0, parts.get(0).length);
    System.arraycopy(parts.get(1), 0, joined, parts.get(0).length, parts.get(1).length);
    assertArrayEquals(whole, joined);
    // Another step draws other noise.
    float[] next = new GaussianSample(STREAM).forward(StepContext.training(9, 5), x).toArray();
    assertNotEquals(whole[0], next[0]);
  }

  @Test
  void inferenceSamplesUnlessAskedForTheMean() {
    Tensor x = LinearTest.random(3, 2, 4);
    StepContext inference = StepContext.inference();
    OpCheck.assertClose("sampled in inference", reference(x.toDoubles(), 2, inference),
        toDoubles(new GaussianSample(STREAM).forward(inference, x).toArray()), 1e-6);
    float[] mean = new GaussianSample(STREAM).meanInInference().forward(inference, x).toArray();
    float[] in = x.toArray();
    for (int r = 0; r < 2; r++) {
      for (int j = 0; j < 2; j++) {
        assertEquals(in[r * 4 + j], mean[r * 2 + j]);
      }
    }
  }

  @Test
  void logPriorOverPosteriorAtTheDrawnZ() {
    Tensor x = LinearTest.random(4, 3, 6);
    StepContext ctx = StepContext.training(8, 1);
    GaussianSample sample = new GaussianSample(STREAM);
    sample.forward(ctx, x);
    double[] in = x.toDoubles();
    double[] expected = new double[3];
    for (int r = 0; r < 3; r++) {
      SplittableRandom rng = ctx.random(STREAM, r);
      for (int j = 0; j < 3; j++) {
        double eps = (float) rng.nextGaussian();
        double mu = in[r * 6 + j];
        double lv = in[r * 6 + 3 + j];
        double z = mu + Math.exp(lv / 2) * eps;
        // log N(z; 0, 1) - log N(z; mu, exp(lv)), written out.
        double logP = -0.5 * Math.log(2 * Math.PI) - 0.5 * z * z;
        double logQ = -0.5 * Math.log(2 * Math.PI) - 0.5 * lv - 0.5 * (z - mu) * (z - mu) / Math.exp(lv);
        expected[r] += logP - logQ;
      }
    }
    OpCheck.assertClose("log p(z) - log q(z|x)", expected, sample.logPriorOverPosterior(), 1e-5);
    sample.backward(ctx, Tensor.zeros(3, 3));
    assertThrows(IllegalStateException.class, sample::logPriorOverPosterior);
  }

  @Test
  void badInputIsNamed() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> new GaussianSample(STREAM).forward(StepContext.training(1, 0), Tensor.zeros(2, 3, 4)));
    assertTrue(e.getMessage().contains("gaussian sample") && e.getMessage().contains("[2, 3, 4]"), e.getMessage());
  }

  private static double[] toDoubles(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }
}
