package org.genai4j.vae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.genai4j.common.ops.Param;
import org.genai4j.common.ops.StepContext;
import org.genai4j.common.ops.Tensor;
import org.genai4j.common.testing.OpCheck;
import org.genai4j.common.util.Progress;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The evaluation paths against {@link VaeReference} (same parameters, same noise): each image's
 * reconstruction NLL and KL ({@link Vae#score}, the test-set ELBO), each importance sample's log
 * weight, and a training pass on a smaller batch after a larger one (buffers reused).
 */
class ElboTest {

  static final VaeConfig MLP = new VaeConfig(VaeConfig.Arch.MLP, 1, 4, 4, List.of(6), 3,
      VaeConfig.Likelihood.BERNOULLI, 0, 1, 0);
  static final VaeConfig CONV = new VaeConfig(VaeConfig.Arch.CONV, 1, 4, 4, List.of(2, 3), 2,
      VaeConfig.Likelihood.GAUSSIAN_LEARNED, 0, 1, 0);

  static Map<String, double[]> values(Vae vae) {
    Map<String, double[]> m = new java.util.LinkedHashMap<>();
    for (Param p : vae.params().list()) {
      m.put(p.name(), p.value().toDoubles());
    }
    return m;
  }

  static INDArray images(VaeConfig c, int n, long seed) {
    return GradientCheckTest.images(c, n, seed).array().dup();
  }

  @Test
  void perImageElboEqualsTheReference() {
    for (VaeConfig c : List.of(MLP, CONV)) {
      Vae vae = Vae.create(c, 5);
      // More images than one inference block (1000 rows), on 1 and 3 threads.
      int n = 2100;
      INDArray x = images(c, n, 1);
      Vae.PerImage s = vae.score(x, 77, 1);
      Vae.PerImage threaded = vae.score(x, 77, 3);
      assertArrayEquals(s.reconstruction(), threaded.reconstruction(), c.arch() + " reconstruction on 3 threads");
      assertArrayEquals(s.kl(), threaded.kl(), c.arch() + " KL on 3 threads");
      double[][] expected = new VaeReference(c, values(vae)).perImage(x.data().asDouble(), n, Vae.evaluation(77, 0));
      for (int i : new int[] {0, 1, 2, 999, 1000, 1001, 2099}) {
        assertEquals(expected[i][0], s.reconstruction()[i], 1e-4 * (1 + Math.abs(expected[i][0])), c.arch() + " image "
            + i + " reconstruction");
        assertEquals(expected[i][1], s.kl()[i], 1e-5 * (1 + expected[i][1]), c.arch() + " image " + i + " KL");
      }
    }
  }

  @Test
  void imagesInAnyMemoryOrderScoreAlike() {
    for (VaeConfig c : List.of(MLP, CONV)) {
      Vae vae = Vae.create(c, 9);
      INDArray x = images(c, 5, 3).reshape('c', 5, c.channels(), c.height(), c.width());
      Vae.PerImage expected = vae.score(x, 4);
      Vae.PerImage fortran = vae.score(x.dup('f'), 4);
      assertArrayEquals(expected.reconstruction(), fortran.reconstruction(), c.arch() + " reconstruction");
      assertArrayEquals(expected.kl(), fortran.kl(), c.arch() + " KL");
    }
  }

  @Test
  void importanceWeightsEqualTheReference() {
    for (VaeConfig c : List.of(MLP, CONV)) {
      Vae vae = Vae.create(c, 6);
      // 300 samples each: 3 images per inference block, so 5 images take 2 blocks.
      int n = 5;
      int k = 300;
      INDArray x = images(c, n, 2);
      double[][] logw = vae.logImportanceWeights(x, k, 31, 1, Progress.silent());
      double[][] threaded = vae.logImportanceWeights(x, k, 31, 2, Progress.silent());
      VaeReference ref = new VaeReference(c, values(vae));
      double[] pixels = x.data().asDouble();
      int d = c.inputSize();
      int z = c.latent();
      StepContext ctx = Vae.evaluation(31, 0);
      for (int i = 0; i < n; i++) {
        assertArrayEquals(logw[i], threaded[i], c.arch() + " image " + i + " on 2 threads");
        double[] image = java.util.Arrays.copyOfRange(pixels, i * d, (i + 1) * d);
        double[] h = ref.encode(image);
        for (int j = 0; j < k; j += 37) {
          // Sample j of image i is row i * k + j of the evaluation.
          SplittableRandom rng = ctx.random(Vae.NOISE, i * k + j);
          double[] code = new double[z];
          double logPriorOverPosterior = 0;
          for (int q = 0; q < z; q++) {
            double eps = (float) rng.nextGaussian();
            code[q] = h[q] + Math.exp(h[z + q] / 2) * eps;
            logPriorOverPosterior += -0.5 * code[q] * code[q] + 0.5 * h[z + q] + 0.5 * eps * eps;
          }
          double expected = logPriorOverPosterior - ref.nll(ref.decode(code), image);
          assertEquals(expected, logw[i][j], 1e-4 * (1 + Math.abs(expected)), c.arch() + " image " + i + " sample " + j);
        }
      }
    }
  }

  @Test
  void aSmallerBatchAfterALargerOneEqualsAFreshModel() {
    for (VaeConfig c : List.of(MLP, CONV)) {
      StepContext ctx = StepContext.training(3, 9);
      Vae used = Vae.create(c, 8);
      used.forward(ctx, used.input(images(c, 7, 4)));
      used.backward(ctx, 1f, 1f);
      used.params().list().forEach(Param::zeroGrad);
      Vae fresh = Vae.create(c, 8);
      INDArray small = images(c, 3, 5);
      Vae.Elbo a = used.forward(ctx, used.input(small));
      used.backward(ctx, 1f, 1f);
      Vae.Elbo b = fresh.forward(ctx, fresh.input(small));
      fresh.backward(ctx, 1f, 1f);
      assertEquals(b.reconstruction(), a.reconstruction(), 0, c.arch() + " reconstruction");
      assertEquals(b.kl(), a.kl(), 0, c.arch() + " KL");
      for (Param p : fresh.params().list()) {
        Tensor g = used.params().get(p.name()).grad();
        OpCheck.assertClose(c.arch() + " " + p.name(), p.grad().toDoubles(), g.toDoubles(), 0);
      }
    }
  }
}
