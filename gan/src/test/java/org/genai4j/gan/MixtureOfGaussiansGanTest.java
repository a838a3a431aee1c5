package org.genai4j.gan;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.genai4j.common.ops.Activation;
import org.genai4j.common.ops.ConcatRows;
import org.genai4j.common.ops.Linear;
import org.genai4j.common.ops.Params;
import org.genai4j.common.ops.Sequential;
import org.genai4j.common.ops.SigmoidCrossEntropy;
import org.genai4j.common.ops.StepContext;
import org.genai4j.common.ops.Tensor;
import org.genai4j.common.train.Batch;
import org.genai4j.common.train.LrSchedule;
import org.genai4j.common.train.ModuleGroup;
import org.genai4j.common.train.OptimizerConfig;
import org.genai4j.common.train.ParameterGroup;
import org.genai4j.common.train.Replicas;
import org.genai4j.common.train.StepLoss;
import org.genai4j.common.train.Trainable;
import org.genai4j.common.train.Trainer;
import org.genai4j.common.train.TrainerConfig;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A tiny MLP GAN, built from the same ops and trained the same way as the DCGAN (two module groups,
 * D then G, over one set of replicas, the batch split over threads; the losses of {@link Dcgan}),
 * learns a ring of 8 Gaussians and covers every mode.
 */
class MixtureOfGaussiansGanTest {

  static final int MODES = 8;
  static final double RADIUS = 2.0;
  static final double STD = 0.05;
  static final int Z = 4;
  static final int HIDDEN = 64;

  /** The toy GAN: G z -> 64 -> 64 -> 2 with ReLU, D 2 -> 64 -> 64 -> 1 with leaky ReLU (0.2). */
  static final class ToyGan {
    final Sequential g;
    final Sequential d;
    final ConcatRows realAndFake = new ConcatRows();
    final SigmoidCrossEntropy bce = new SigmoidCrossEntropy();
    Tensor real;
    Tensor z;
    Tensor targets;

    ToyGan(Params p) {
      g = Sequential.of(new Linear(p, "generator.l1", Z, HIDDEN, true).withoutInputGradient(), Activation.relu(),
          new Linear(p, "generator.l2", HIDDEN, HIDDEN, true), Activation.relu(),
          new Linear(p, "generator.out", HIDDEN, 2, true));
      d = Sequential.of(new Linear(p, "discriminator.l1", 2, HIDDEN, true), Activation.leakyRelu(0.2),
          new Linear(p, "discriminator.l2", HIDDEN, HIDDEN, true), Activation.leakyRelu(0.2),
          new Linear(p, "discriminator.out", HIDDEN, 1, true));
    }

    StepLoss discriminatorStep(Batch b, StepContext ctx) {
      int n = b.examples();
      Tensor fake = g.forward(ctx, input(b));
      real = Tensor.ensure(real, n, 2);
      real.copyFrom(b.get(Dcgan.REAL));
      targets = Tensor.ensure(targets, 2 * n);
      targets.zero();
      targets.rowRange(0, n).fill(1f);
      double loss = 2 * bce.forward(ctx, d.forward(ctx, realAndFake.forward(ctx, real, fake)), targets);
      d.backward(ctx, bce.backward(ctx, 2f));
      return StepLoss.of(loss);
    }

    StepLoss generatorStep(Batch b, StepContext ctx) {
      double loss = bce.forward(ctx, d.forward(ctx, g.forward(ctx, input(b))), 1f);
      g.backward(ctx, d.backward(ctx, bce.backward(ctx)));
      return StepLoss.of(loss);
    }

    private Tensor input(Batch b) {
      z = Tensor.ensure(z, b.examples(), Z);
      z.copyFrom(b.get(Dcgan.Z));
      return z;
    }
  }

  @Test
  void coversAllEightModesOfARing() {
    Params params = Params.init(7);
    ToyGan gan = new ToyGan(params);
    Replicas<ToyGan> replicas = new Replicas<>(gan, params, ToyGan::new);
    ModuleGroup<ToyGan> d = new ModuleGroup<>("D", replicas, n -> n.startsWith("discriminator."),
        ToyGan::discriminatorStep);
    ModuleGroup<ToyGan> g = new ModuleGroup<>("G", replicas, n -> n.startsWith("generator."), ToyGan::generatorStep);
    Trainable model = new Trainable() {
      public List<ParameterGroup> parameterGroups() {
        return List.of(d, g);
      }

      public String configJson() {
        return "{}";
      }
    };
    int batch = 128;
    OptimizerConfig adam = OptimizerConfig.adam(LrSchedule.constant(1e-3), 0.5, 0.999);
    new Trainer(model, adam, TrainerConfig.of(1200, 11).withLogEvery(600)).fit(rng -> {
      float[] pts = new float[batch * 2];
      float[] z = new float[batch * Z];
      for (int i = 0; i < batch; i++) {
        double a = 2 * Math.PI * rng.nextInt(MODES) / MODES;
        pts[2 * i] = (float) (RADIUS * Math.cos(a) + STD * rng.nextGaussian());
        pts[2 * i + 1] = (float) (RADIUS * Math.sin(a) + STD * rng.nextGaussian());
      }
      for (int i = 0; i < z.length; i++) {
        z[i] = (float) rng.nextGaussian();
      }
      return Batch.of(Map.of(Dcgan.REAL, Nd4j.create(pts, new long[] {batch, 2}, 'c'),
          Dcgan.Z, Nd4j.create(z, new long[] {batch, Z}, 'c')), batch);
    });

    int n = 2000;
    java.util.Random rng = new java.util.Random(3);
    float[] zs = new float[n * Z];
    for (int i = 0; i < zs.length; i++) {
      zs[i] = (float) rng.nextGaussian();
    }
    // Sampling: the same modules in inference mode.
    float[] s = gan.g.forward(StepContext.inference(), Tensor.of(zs, n, Z)).toArray();
    int[] counts = new int[MODES];
    int near = 0;
    for (int i = 0; i < n; i++) {
      double x = s[2 * i];
      double y = s[2 * i + 1];
      int best = -1;
      double bestDist = Double.MAX_VALUE;
      for (int k = 0; k < MODES; k++) {
        double a = 2 * Math.PI * k / MODES;
        double dist = Math.hypot(x - RADIUS * Math.cos(a), y - RADIUS * Math.sin(a));
        if (dist < bestDist) {
          bestDist = dist;
          best = k;
        }
      }
      if (bestDist < 8 * STD) { // within 8 standard deviations of a mode counts as on it
        counts[best]++;
        near++;
      }
    }
    String report = "mode counts " + java.util.Arrays.toString(counts) + ", " + near + "/" + n + " near a mode";
    System.out.println(report);
    for (int k = 0; k < MODES; k++) {
      assertTrue(counts[k] >= n * 0.03, "mode " + k + " is missed: " + report);
    }
    assertTrue(near >= n * 0.5, "too few samples near any mode: " + report);
  }
}
