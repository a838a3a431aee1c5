package org.genai4j.common.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TimeBudgetTest {

  @TempDir Path tmp;

  @Test
  void stopRequestEndsTheRunWithFinalEvaluationAndCheckpoint() {
    TinyMlp model = new TinyMlp(1);
    Batch data = TinyMlp.dataset(16, 7);
    List<StepRecord> records = new ArrayList<>();
    int[] evaluations = {0};
    // A listener that asks to stop after the 7th step: stands in for an expired clock.
    TrainingListener stopAt7 = new TrainingListener() {
      int polls;

      @Override
      public void onStep(StepRecord r) {
        records.add(r);
      }

      @Override
      public boolean stopRequested() {
        return ++polls >= 7;
      }
    };
    Trainer t = new Trainer(model, OptimizerConfig.sgd(LrSchedule.constant(0.01), 0),
        TrainerConfig.of(1000, 1).withLogEvery(100).withCheckpoints(tmp, 0, null));
    t.addListener(stopAt7).setEvaluator(() -> {
      evaluations[0]++;
      return java.util.Map.of("val", 1.0);
    });
    StepRecord last = t.fit(rng -> data);
    assertEquals(7, t.step());
    assertEquals(7, last.step());
    assertEquals(1, evaluations[0], "the stopped run is evaluated once, at its last step");
    assertEquals(1, records.size());
    assertTrue(Checkpoint.exists(tmp.resolve(Trainer.LAST)));
    assertEquals(7, Checkpoint.read(tmp.resolve(Trainer.LAST)).step());
  }

  @Test
  void expiredBudgetRequestsStop() throws InterruptedException {
    TimeBudget budget = new TimeBudget(Duration.ofMillis(30));
    assertTrue(!budget.stopRequested());
    Thread.sleep(60);
    assertTrue(budget.stopRequested());
    assertThrows(IllegalArgumentException.class, () -> new TimeBudget(Duration.ZERO));
  }
}
