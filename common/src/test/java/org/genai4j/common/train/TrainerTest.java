package org.genai4j.common.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class TrainerTest {

  @TempDir Path tmp;

  @Test
  void drivesTinyMlpToNearZeroLoss() {
    TinyMlp model = new TinyMlp(1);
    Batch data = TinyMlp.dataset(32, 7);
    List<StepRecord> records = new ArrayList<>();
    Trainer t = new Trainer(model, OptimizerConfig.adam(LrSchedule.constant(0.05), 0.9, 0.999),
        TrainerConfig.of(200, 3));
    t.addListener(records::add);
    StepRecord last = t.fit(rng -> data);
    assertEquals(200, t.step());
    assertEquals(200, records.size());
    double first = records.get(0).loss();
    assertTrue(first > 0.5, "initial loss should be around ln 3, was " + first);
    assertTrue(last.loss() < 0.02, "loss after 200 steps: " + last.loss() + " (first record " + first + ")");
    // The step's reported loss is the loss of the group on that batch, recomputed independently.
    double recomputed = model.group.computeGradients(data, org.genai4j.common.ops.StepContext.training(0, 0)).loss();
    assertTrue(recomputed < 0.02, "final loss " + recomputed);
    assertTrue(last.metrics().containsKey("mlp/grad_norm"));
    assertEquals(0.05, last.metrics().get("mlp/lr"), 1e-12);
  }

  @Test
  void resumeEqualsUninterruptedRunWithAdam() {
    assertResumeExact(OptimizerConfig.adam(LrSchedule.warmupCosine(0.01, 0.001, 5, 20), 0.9, 0.99), 1, 0);
  }

  @Test
  void resumeEqualsUninterruptedRunWithAdamWAccumulationAndClipping() {
    assertResumeExact(OptimizerConfig.adamW(LrSchedule.constant(0.01), 0.9, 0.95, 0.1), 3, 0.5);
  }

  @Test
  void resumeEqualsUninterruptedRunWithSgdMomentum() {
    assertResumeExact(OptimizerConfig.sgd(LrSchedule.constant(0.1), 0.9), 2, 0);
  }

  private void assertResumeExact(OptimizerConfig oc, int accumulation, double clip) {
    Batch data = TinyMlp.dataset(32, 7);
    BatchSource source = TinyMlp.minibatches(data, 8);
    TrainerConfig cfg = TrainerConfig.of(20, 11).withAccumulation(accumulation).withClipNorm(clip);

    TinyMlp full = new TinyMlp(5);
    new Trainer(full, oc, cfg).fit(source);

    Path dir = tmp.resolve("run");
    TinyMlp half = new TinyMlp(5);
    Trainer first = new Trainer(half, oc, cfg.withSteps(10).withCheckpoints(dir, 0, null));
    first.fit(source);
    assertTrue(Checkpoint.exists(dir.resolve(Trainer.LAST)));

    TinyMlp fresh = new TinyMlp(99); // different initial weights: all must come from the checkpoint
    Trainer second = new Trainer(fresh, oc, cfg);
    second.resume(dir.resolve(Trainer.LAST));
    assertEquals(10, second.step());
    second.fit(source);
    assertEquals(20, second.step());

    Map<String, INDArray> a = full.group.parameters();
    Map<String, INDArray> b = fresh.group.parameters();
    for (String k : a.keySet()) {
      assertEquals(a.get(k), b.get(k), "parameter " + k + " differs after resume");
    }
    TinyMlp untouched = new TinyMlp(5);
    assertFalse(untouched.group.parameters().get("l1/w").equals(a.get("l1/w")), "training changed nothing");
  }

  /** Accumulating k micro-batches of a mean loss equals one step on the k-times larger batch. */
  @Test
  void accumulationEqualsOneLargeBatch() {
    Batch data = TinyMlp.dataset(12, 3);
    int k = 3;
    OptimizerConfig sgd = OptimizerConfig.sgd(LrSchedule.constant(0.5), 0);

    TinyMlp big = new TinyMlp(2, DataType.DOUBLE);
    new Trainer(big, sgd, TrainerConfig.of(1, 0)).fit(rng -> data);

    TinyMlp micro = new TinyMlp(2, DataType.DOUBLE);
    int[] next = {0};
    BatchSource slices = rng -> {
      int s = next[0]++ % k;
      return TinyMlp.rows(data, IntStream.range(s * 4, s * 4 + 4).toArray());
    };
    new Trainer(micro, sgd, TrainerConfig.of(1, 0).withAccumulation(k)).fit(slices);
    assertEquals(k, next[0]);

    TinyMlp init = new TinyMlp(2, DataType.DOUBLE);
    for (String p : big.group.parameters().keySet()) {
      INDArray a = big.group.parameters().get(p);
      INDArray b = micro.group.parameters().get(p);
      double diff = a.sub(b).amaxNumber().doubleValue();
      double moved = a.sub(init.group.parameters().get(p)).amaxNumber().doubleValue();
      assertTrue(moved > 1e-3, p + " did not move");
      assertTrue(diff < 1e-12, p + ": accumulated update differs by " + diff);
    }
  }

  @Test
  void tinyMlpGradientsPassTheGradientCheck() {
    TinyMlp model = new TinyMlp(4, DataType.DOUBLE);
    var results = org.genai4j.common.testing.GradientCheck.of(model.group, TinyMlp.dataset(6, 1)).assertCorrect();
    assertEquals(4, results.size());
  }

  @Test
  void evaluatesAtStartAndWritesBestCheckpoint() {
    TinyMlp model = new TinyMlp(1);
    Batch data = TinyMlp.dataset(32, 7);
    List<StepRecord> evals = new ArrayList<>();
    Path dir = tmp.resolve("best");
    Trainer t = new Trainer(model, OptimizerConfig.adam(LrSchedule.constant(0.03), 0.9, 0.999),
        TrainerConfig.of(30, 3).withLogEvery(100).withEvalEvery(10).withCheckpoints(dir, 0, "val_loss"));
    t.setEvaluator(() -> Map.of("val_loss", model.group.computeGradients(data, org.genai4j.common.ops.StepContext.training(0, 0)).loss()));
    t.setEvaluateAtStart(true);
    t.addListener(r -> {
      if (!r.evaluation().isEmpty()) {
        evals.add(r);
      }
    });
    t.fit(rng -> data);
    assertEquals(List.of(0L, 10L, 20L, 30L), evals.stream().map(StepRecord::step).toList());
    assertTrue(evals.get(3).evaluation().get("val_loss") < evals.get(0).evaluation().get("val_loss"));
    Checkpoint best = Checkpoint.read(dir.resolve(Trainer.BEST));
    assertEquals(30, best.step());
    assertEquals(evals.get(3).evaluation().get("val_loss"), best.values().get("best"), 1e-12);
  }
}
