package org.genai4j.common.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.genai4j.common.ops.Activation;
import org.genai4j.common.ops.Linear;
import org.genai4j.common.ops.Params;
import org.genai4j.common.ops.Sequential;
import org.genai4j.common.ops.StepContext;
import org.genai4j.common.ops.Tensor;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ModuleGroupTest {

  /** A two-layer regression net with a mean squared error, written with ops. */
  static final class Net {
    final Sequential body;
    Tensor x;
    Tensor dy;

    Net(Params p) {
      body = Sequential.of(new Linear(p, "fc1", 3, 8, true).withoutInputGradient(), Activation.tanh(),
          new Linear(p, "fc2", 8, 1, true));
    }

    /** Half the squared error summed over this shard's rows, divided by the whole batch's row count. */
    StepLoss step(Batch b, StepContext ctx) {
      x = Tensor.ensure(x, b.examples(), 3);
      x.copyFrom(b.get("x"));
      float[] y = body.forward(ctx, x).toArray();
      float[] t = b.get("t").dup().data().asFloat();
      double count = ctx.allReduceSum(b.examples());
      dy = Tensor.ensure(dy, b.examples(), 1);
      double loss = 0;
      for (int i = 0; i < y.length; i++) {
        double d = y[i] - t[i];
        loss += 0.5 * d * d / count;
        dy.set(i, (float) (d / count));
      }
      body.backward(ctx, dy);
      return new StepLoss(loss, Map.of("rows", b.examples() / count));
    }
  }

  static Trainable trainable(int seed, ModuleGroup.Step<Net> step, Params[] out) {
    Params p = Params.init(seed);
    Net net = new Net(p);
    out[0] = p;
    ModuleGroup<Net> g = ModuleGroup.all("net", new Replicas<>(net, p, Net::new), step);
    return new Trainable() {
      @Override
      public List<ParameterGroup> parameterGroups() {
        return List.of(g);
      }

      @Override
      public String configJson() {
        return "{}";
      }
    };
  }

  static Batch batch(java.util.Random rng) {
    int n = 7;
    INDArray x = Nd4j.create(DataType.FLOAT, n, 3);
    INDArray t = Nd4j.create(DataType.FLOAT, n, 1);
    for (int i = 0; i < n; i++) {
      double s = 0;
      for (int j = 0; j < 3; j++) {
        double v = rng.nextGaussian();
        x.putScalar(i, j, v);
        s += v * (j + 1);
      }
      t.putScalar(i, 0, Math.sin(s));
    }
    return Batch.of(Map.of("x", x, "t", t), n);
  }

  private static float[][] train(int threads) {
    Params[] p = new Params[1];
    Trainable model = trainable(3, (net, b, ctx) -> net.step(b, ctx), p);
    Trainer t = new Trainer(model, OptimizerConfig.adam(LrSchedule.constant(1e-2), 0.9, 0.999),
        TrainerConfig.of(20, 5).withThreads(threads));
    StepRecord last = t.fit(ModuleGroupTest::batch);
    assertEquals(1.0, last.metrics().get("net/rows"), 1e-12, "shards' metrics add up to the batch's");
    return p[0].list().stream().map(q -> q.value().toArray()).toArray(float[][]::new);
  }

  @Test
  void shardedTrainingEqualsOneThread() {
    float[][] one = train(1);
    for (int threads : new int[] {2, 3}) {
      float[][] many = train(threads);
      for (int i = 0; i < one.length; i++) {
        for (int j = 0; j < one[i].length; j++) {
          assertEquals(one[i][j], many[i][j], 1e-5, threads + " threads, parameter " + i + "[" + j + "]");
        }
      }
    }
  }

  @Test
  void trainingLowersTheLoss() {
    Params[] p = new Params[1];
    Trainable model = trainable(3, (net, b, ctx) -> net.step(b, ctx), p);
    Trainer t = new Trainer(model, OptimizerConfig.adam(LrSchedule.constant(1e-2), 0.9, 0.999),
        TrainerConfig.of(300, 5).withThreads(2));
    Batch fixed = batch(new java.util.Random(1));
    double before = t.fit(rng -> fixed).loss();
    assertTrue(before < 0.05, "a fixed batch of 7 is fitted, loss " + before);
  }

  @Test
  void aFailingShardFailsTheStepInsteadOfHanging() {
    Params[] p = new Params[1];
    Trainable model = trainable(3, (net, b, ctx) -> {
      if (ctx.shard() == 1) {
        throw new IllegalStateException("shard 1 broke");
      }
      return net.step(b, ctx);
    }, p);
    Trainer t = new Trainer(model, OptimizerConfig.adam(LrSchedule.constant(1e-2), 0.9, 0.999),
        TrainerConfig.of(2, 5).withThreads(2));
    var e = assertThrows(IllegalStateException.class, () -> t.fit(ModuleGroupTest::batch));
    assertEquals("shard 1 broke", e.getMessage(), "the cause, not the shard it released");
  }

  @Test
  void replicasShareValuesAndOwnGradients() {
    Params p = Params.init(1);
    Net net = new Net(p);
    Replicas<Net> r = new Replicas<>(net, p, Net::new);
    Params q = r.params(1);
    assertTrue(p.get("fc1.weight").value() == q.get("fc1.weight").value());
    assertTrue(p.get("fc1.weight").grad() != q.get("fc1.weight").grad());
    assertArrayEquals(p.get("fc2.bias").value().toArray(), q.get("fc2.bias").value().toArray());
  }
}
