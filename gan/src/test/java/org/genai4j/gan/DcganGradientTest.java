package org.genai4j.gan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.ToDoubleFunction;
import org.genai4j.common.ops.Param;
import org.genai4j.common.ops.SigmoidCrossEntropy;
import org.genai4j.common.ops.StepContext;
import org.genai4j.common.ops.Tensor;
import org.genai4j.common.train.Batch;
import org.genai4j.common.train.Gradients;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Both losses of the whole model and every parameter's gradient against central differences of a
 * plain double-precision DCGAN ({@link DcganReference}), and the gradient D hands to G (the
 * generated images' gradient) likewise.
 */
class DcganGradientTest {
  private static final int N = 4;
  /** Elements checked per tensor, spread evenly. */
  private static final int SAMPLES = 10;
  /** Allowed distance of the analytic from the differences' vector, relative to the latter's norm (float vs double). */
  private static final double TOL = 1e-4;

  @Test
  void greyTwoStagesWithLabelSmoothing() {
    check(DcganTest.tiny(28, 1).withLabelSmoothing(0.9), 5);
  }

  @Test
  void rgbThreeStages() {
    check(DcganTest.tiny(32, 3), 6);
  }

  private static void check(DcganConfig c, long seed) {
    Dcgan m = new Dcgan(c, seed);
    DcganTrainable model = new DcganTrainable(m);
    Batch b = new GanBatches(DcganTest.images(c, 3 * N, seed), c, N).next(new Random(seed));
    double[] real = doubles(b.get(Dcgan.REAL));
    double[] z = doubles(b.get(Dcgan.Z));
    Map<String, double[]> values = values(m);
    DcganReference ref = new DcganReference(c, values);
    StepContext ctx = StepContext.training(3, 0);

    Gradients d = model.discriminator().computeGradients(b, ctx);
    double lossD = ref.discriminatorLoss(real, z, N);
    assertEquals(lossD, d.loss(), 1e-5 * (1 + lossD), "discriminator loss");
    assertGradients("D step", d, values, v -> ref.discriminatorLoss(real, z, N));

    // The G step right after: it reuses the D step's generator pass.
    Gradients g = model.generator().computeGradients(b, ctx);
    double lossG = ref.generatorLoss(z, N);
    assertEquals(lossG, g.loss(), 1e-5 * (1 + lossG), "generator loss");
    assertGradients("G step", g, values, v -> ref.generatorLoss(z, N));
  }

  @Test
  void theGradientDHandsToGIsTheImagesGradientOfTheGeneratorLoss() {
    DcganConfig c = DcganTest.tiny(28, 1);
    Dcgan m = new Dcgan(c, 8);
    m.params().list().forEach(p -> p.setRequiresGrad(false)); // as in G's step: D frozen
    Dcgan.Discriminator d = m.discriminator();
    d.onFakeForGenerator();
    INDArray images = DcganTest.images(c, N, 4).muli(2).subi(1);
    Tensor x = Tensor.copyOf(images);
    StepContext ctx = StepContext.training(3, 0);
    SigmoidCrossEntropy bce = new SigmoidCrossEntropy();
    bce.forward(ctx, d.forward(ctx, x), 1f);
    Tensor dx = d.backward(ctx, bce.backward(ctx));
    assertNotNull(dx, "D computes its input's gradient in G's step");
    double[] xs = x.toDoubles();
    DcganReference ref = new DcganReference(c, values(m));
    double[] analytic = dx.toDoubles();
    int[] at = spread(xs.length, 60);
    double[] want = differences(xs, at, () -> ref.imageLoss(xs, N));
    assertClose("images' gradient", pick(analytic, at), want);
  }

  private static void assertGradients(String step, Gradients got, Map<String, double[]> values,
      ToDoubleFunction<Void> loss) {
    assertTrue(!got.gradients().isEmpty(), step + " has gradients");
    for (var e : got.gradients().entrySet()) {
      double[] target = values.get(e.getKey());
      double[] analytic = doubles(e.getValue());
      int[] at = spread(target.length, SAMPLES);
      double[] want = differences(target, at, () -> loss.applyAsDouble(null));
      assertClose(step + " gradient of " + e.getKey(), pick(analytic, at), want);
    }
  }

  /** Central differences of {@code loss} with respect to {@code target[at[k]]}, in double. */
  private static double[] differences(double[] target, int[] at, java.util.function.DoubleSupplier loss) {
    double[] d = new double[at.length];
    for (int k = 0; k < at.length; k++) {
      int i = at[k];
      double keep = target[i];
      // A small step: generated pixels and ReLU outputs put a few of D's leaky-ReLU inputs within
      // 1e-6 of the kink, where a wider difference averages the two slopes.
      double h = 1e-7 * Math.max(1, Math.abs(keep));
      target[i] = keep + h;
      double up = loss.getAsDouble();
      target[i] = keep - h;
      double down = loss.getAsDouble();
      target[i] = keep;
      d[k] = (up - down) / (2 * h);
    }
    return d;
  }

  private static void assertClose(String what, double[] got, double[] want) {
    double diff = 0;
    double norm = 0;
    for (int i = 0; i < want.length; i++) {
      diff += (got[i] - want[i]) * (got[i] - want[i]);
      norm += want[i] * want[i];
    }
    diff = Math.sqrt(diff);
    norm = Math.sqrt(norm);
    assertTrue(norm > 1e-9, what + ": the reference gradient is zero, so the check would prove nothing");
    assertTrue(diff <= TOL * norm, what + " differs by " + diff / norm + " of its norm " + norm + ": got "
        + java.util.Arrays.toString(got) + ", differences " + java.util.Arrays.toString(want));
  }

  static Map<String, double[]> values(Dcgan m) {
    Map<String, double[]> v = new LinkedHashMap<>();
    for (Param p : m.params().list()) {
      v.put(p.name(), p.value().toDoubles());
    }
    return v;
  }

  static double[] doubles(INDArray a) {
    return a.dup('c').data().asDouble();
  }

  private static int[] spread(int n, int k) {
    List<Integer> idx = new ArrayList<>();
    for (int j = 0; j < Math.min(n, k); j++) {
      idx.add((int) ((long) j * n / Math.min(n, k)));
    }
    return idx.stream().mapToInt(Integer::intValue).toArray();
  }

  private static double[] pick(double[] a, int[] at) {
    double[] p = new double[at.length];
    for (int k = 0; k < at.length; k++) {
      p[k] = a[at[k]];
    }
    return p;
  }
}
