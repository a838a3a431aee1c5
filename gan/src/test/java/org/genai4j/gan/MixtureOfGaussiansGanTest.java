package org.genai4j.gan;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.genai4j.common.nn.ConvLayers;
import org.genai4j.common.nn.Init;
import org.genai4j.common.train.Batch;
import org.genai4j.common.train.LrSchedule;
import org.genai4j.common.train.OptimizerConfig;
import org.genai4j.common.train.ParameterGroup;
import org.genai4j.common.train.Trainable;
import org.genai4j.common.train.Trainer;
import org.genai4j.common.train.TrainerConfig;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A tiny MLP GAN on the same harness as the DCGAN (two {@link GanGroup}s on the common Trainer,
 * the same {@link AdversarialLoss}) learns a ring of 8 Gaussians and covers every mode.
 */
class MixtureOfGaussiansGanTest {

  static final int MODES = 8;
  static final double RADIUS = 2.0;
  static final double STD = 0.05;
  static final int Z = 4;
  static final int HIDDEN = 64;

  @Test
  void coversAllEightModesOfARing() {
    Nd4j.getRandom().setSeed(7);
    SameDiff dGraph = SameDiff.create();
    SDVariable real = dGraph.placeHolder(Dcgan.REAL, DataType.FLOAT, -1, 2);
    SDVariable zd = dGraph.placeHolder(Dcgan.Z, DataType.FLOAT, -1, Z);
    SDVariable lr = disc(dGraph, real);
    SDVariable lf = disc(dGraph, gen(dGraph, zd));
    AdversarialLoss.discriminator(dGraph, lr, lf, 1.0).rename("lossD");
    dGraph.setLossVariables("lossD");
    SameDiff gGraph = SameDiff.create();
    SDVariable zg = gGraph.placeHolder(Dcgan.Z, DataType.FLOAT, -1, Z);
    SDVariable sample = gen(gGraph, zg).rename("sample");
    AdversarialLoss.generator(gGraph, disc(gGraph, sample)).rename("lossG");
    gGraph.setLossVariables("lossG");
    ConvLayers.shareVariables(dGraph, gGraph);
    GanGroup d = new GanGroup("D", dGraph, "lossD", List.of(), List.of(), null);
    GanGroup g = new GanGroup("G", gGraph, "lossG", List.of(), List.of(), null);
    Trainable gan = new Trainable() {
      public List<ParameterGroup> parameterGroups() {
        return List.of(d, g);
      }

      public String configJson() {
        return "{}";
      }
    };
    int batch = 128;
    OptimizerConfig adam = OptimizerConfig.adam(LrSchedule.constant(1e-3), 0.5, 0.999);
    Trainer trainer = new Trainer(gan, adam, TrainerConfig.of(1200, 11).withLogEvery(600));
    trainer.fit(rng -> {
      float[] pts = new float[batch * 2];
      for (int i = 0; i < batch; i++) {
        double a = 2 * Math.PI * rng.nextInt(MODES) / MODES;
        pts[2 * i] = (float) (RADIUS * Math.cos(a) + STD * rng.nextGaussian());
        pts[2 * i + 1] = (float) (RADIUS * Math.sin(a) + STD * rng.nextGaussian());
      }
      return Batch.of(Map.of(Dcgan.REAL, Nd4j.create(pts, new long[] {batch, 2}, 'c'),
          Dcgan.Z, Nd4j.randn(DataType.FLOAT, batch, Z)), batch);
    });

    int n = 2000;
    INDArray s = gGraph.output(Map.of(Dcgan.Z, Nd4j.randn(DataType.FLOAT, n, Z)), "sample").get("sample");
    int[] counts = new int[MODES];
    int near = 0;
    for (int i = 0; i < n; i++) {
      double x = s.getDouble(i, 0);
      double y = s.getDouble(i, 1);
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

  private static SDVariable gen(SameDiff sd, SDVariable z) {
    SDVariable h = sd.nn.relu(linear(sd, "G/l1", z, Z, HIDDEN), 0);
    h = sd.nn.relu(linear(sd, "G/l2", h, HIDDEN, HIDDEN), 0);
    return linear(sd, "G/out", h, HIDDEN, 2);
  }

  private static SDVariable disc(SameDiff sd, SDVariable x) {
    SDVariable h = sd.nn.leakyRelu(linear(sd, "D/l1", x, 2, HIDDEN), 0.2);
    h = sd.nn.leakyRelu(linear(sd, "D/l2", h, HIDDEN, HIDDEN), 0.2);
    return linear(sd, "D/out", h, HIDDEN, 1);
  }

  /** A linear layer with PyTorch's default init, reusing its variables when applied again. */
  private static SDVariable linear(SameDiff sd, String name, SDVariable x, long in, long out) {
    SDVariable w = sd.getVariable(name + "/w");
    if (w == null) {
      w = sd.var(name + "/w", Init.uniformFanIn(in, in, out));
      sd.var(name + "/b", Init.uniformFanIn(in, out));
    }
    return x.mmul(w).add(sd.getVariable(name + "/b"));
  }
}
