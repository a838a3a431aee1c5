package org.genai4j.common.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.genai4j.common.io.SafetensorsFile;
import org.genai4j.common.ops.Params;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checkpoint folder: safetensors by the model's names, resume bit for bit, named errors. */
class CheckpointFormatTest {

  @TempDir
  Path dir;

  private static Trainer trainer(long steps, int threads, Params[] params, Path out) {
    Trainable model = ModuleGroupTest.trainable(3, (net, b, ctx) -> net.step(b, ctx), params);
    TrainerConfig tc = TrainerConfig.of(steps, 5).withThreads(threads);
    if (out != null) {
      tc = tc.withCheckpoints(out, 0, null);
    }
    return new Trainer(model, OptimizerConfig.adamW(LrSchedule.warmupCosine(1e-2, 1e-3, 3, 20), 0.9, 0.99, 0.1), tc);
  }

  @Test
  void theFolderHoldsSafetensorsByTheModelsNames() {
    Params[] p = new Params[1];
    Trainer t = trainer(4, 2, p, dir);
    t.fit(ModuleGroupTest::batch);
    Path last = dir.resolve(RunDir.LAST);
    SafetensorsFile model = SafetensorsFile.open(last.resolve(Checkpoint.MODEL));
    assertEquals(java.util.List.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"),
        java.util.List.copyOf(model.entries().keySet()));
    assertArrayEquals(p[0].get("fc2.weight").value().toArray(), model.read("fc2.weight").toArray());
    SafetensorsFile optim = SafetensorsFile.open(last.resolve(Checkpoint.OPTIMIZER));
    assertTrue(optim.contains("fc1.weight.exp_avg") && optim.contains("fc1.weight.exp_avg_sq"),
        optim.entries().keySet().toString());
    assertArrayEquals(new int[] {8, 3}, optim.entries().get("fc1.weight.exp_avg").shape());
    assertEquals(4, Checkpoint.read(last).step());
  }

  @Test
  void resumeEqualsAnUninterruptedRun() {
    Params[] whole = new Params[1];
    trainer(12, 2, whole, null).fit(ModuleGroupTest::batch);
    Params[] first = new Params[1];
    trainer(5, 2, first, dir).fit(ModuleGroupTest::batch);
    Params[] resumed = new Params[1];
    Trainer t = trainer(12, 2, resumed, null);
    t.resume(dir.resolve(RunDir.LAST));
    t.fit(ModuleGroupTest::batch);
    for (String name : whole[0].byName().keySet()) {
      assertArrayEquals(whole[0].get(name).value().toArray(), resumed[0].get(name).value().toArray(), name);
    }
  }

  @Test
  void anInterruptedSwapLeavesThePreviousCheckpointReadable() throws Exception {
    Params[] p = new Params[1];
    trainer(3, 1, p, dir).fit(ModuleGroupTest::batch);
    Path last = dir.resolve(RunDir.LAST);
    // As if a save died between moving the old folder aside and moving the new one in.
    Files.move(last, dir.resolve("checkpoints/last.old"));
    assertTrue(Checkpoint.exists(last));
    assertEquals(3, Checkpoint.read(last).step());
  }

  @Test
  void aMissingOrMisshapedTensorIsNamed() throws Exception {
    Params[] p = new Params[1];
    Trainer t = trainer(2, 1, p, dir);
    t.fit(ModuleGroupTest::batch);
    Checkpoint c = Checkpoint.read(dir.resolve(RunDir.LAST));
    Map<String, org.nd4j.linalg.api.ndarray.INDArray> fewer = new java.util.LinkedHashMap<>(c.model());
    fewer.remove("fc2.bias");
    Checkpoint missing = new Checkpoint(c.step(), c.seed(), c.configJson(), c.values(), fewer, c.optimizer());
    Params[] q = new Params[1];
    Trainable other = ModuleGroupTest.trainable(4, (net, b, ctx) -> net.step(b, ctx), q);
    var e = assertThrows(IllegalArgumentException.class, () -> missing.restoreInto(other));
    assertTrue(e.getMessage().contains("'fc2.bias'"), e.getMessage());
    Map<String, org.nd4j.linalg.api.ndarray.INDArray> wrong = new java.util.LinkedHashMap<>(c.model());
    wrong.put("fc1.weight", org.nd4j.linalg.factory.Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, 3, 8));
    Checkpoint misshaped = new Checkpoint(c.step(), c.seed(), c.configJson(), c.values(), wrong, c.optimizer());
    var e2 = assertThrows(IllegalArgumentException.class, () -> misshaped.restoreInto(other));
    assertTrue(e2.getMessage().contains("'fc1.weight'") && e2.getMessage().contains("[3, 8]"), e2.getMessage());
  }

  @Test
  void aFolderWithoutACheckpointIsNamed() {
    var e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.read(dir.resolve("nothing")));
    assertTrue(e.getMessage().contains("no checkpoint"), e.getMessage());
  }
}
