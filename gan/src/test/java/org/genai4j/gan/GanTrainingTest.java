package org.genai4j.gan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.genai4j.common.train.Checkpoint;
import org.genai4j.common.train.RunDir;
import org.genai4j.common.train.RunFolder;
import org.genai4j.common.train.TrainingResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The training entry point: the run folder, epochs and their grids, exact resume, run-folder errors. */
class GanTrainingTest {
  private static final DcganConfig C = DcganTest.tiny(28, 1);

  private static GanTrainOptions options(int epochs, Path out) {
    return GanTrainOptions.of(epochs, out).withBatchSize(8).withSeed(21).withProgressBar(false);
  }

  @Test
  void resumingGivesExactlyTheUninterruptedRun(@TempDir Path dir) throws Exception {
    INDArray data = DcganTest.images(C, 40, 6); // 5 steps per epoch
    Path full = dir.resolve("full");
    TrainingResult<Dcgan> whole = GanTraining.train(data, null, C, options(2, full));
    assertEquals(10, whole.steps());
    for (String f : new String[] {RunDir.CONFIG, RunDir.TRAIN, RunDir.METRICS, "grid-epoch-001.png",
        "grid-epoch-002.png", GanTraining.GRID}) {
      assertTrue(Files.isRegularFile(full.resolve(f)), f);
    }
    String metrics = Files.readString(full.resolve(RunDir.METRICS));
    for (String k : new String[] {"D/loss", "G/loss", "D/d_real", "D/d_fake", "G/d_fake"}) {
      assertTrue(metrics.contains("\"" + k + "\""), k + " in " + metrics);
    }

    Path half = dir.resolve("half");
    GanTraining.train(data, null, C, options(1, half));
    assertTrue(Files.exists(half.resolve("grid-epoch-001.png")));
    // A second epoch is a change of --epochs: accepted with --allow-change, and recorded.
    TrainingResult<Dcgan> resumed = GanTraining.train(data, null, C,
        options(2, half).withStart(new RunFolder.Start(true, false, true)));
    assertTrue(Files.readString(half.resolve(RunFolder.HISTORY)).contains("\"option\":\"--epochs\",\"old\":\"1\""));
    assertEquals(5, resumed.steps(), "the resumed call runs the second epoch only");
    assertTrue(Files.exists(half.resolve("grid-epoch-002.png")));

    Checkpoint a = Checkpoint.read(full.resolve(RunDir.LAST));
    Checkpoint b = Checkpoint.read(half.resolve(RunDir.LAST));
    assertEquals(10, a.step());
    assertEquals(a.step(), b.step());
    assertEquals(a.model().keySet(), b.model().keySet());
    assertEquals(a.optimizer().keySet(), b.optimizer().keySet());
    assertTrue(a.optimizer().containsKey("generator.up1.weight.exp_avg_sq"), a.optimizer().keySet().toString());
    a.model().forEach((k, v) -> assertArrayEquals(floats(v), floats(b.model().get(k)), "checkpoint array " + k));
    a.optimizer().forEach((k, v) -> assertArrayEquals(floats(v), floats(b.optimizer().get(k)), "optimizer state " + k));
    assertArrayEquals(Files.readAllBytes(full.resolve("grid-epoch-002.png")),
        Files.readAllBytes(half.resolve("grid-epoch-002.png")));

    // The saved run loads back and samples what the trained model samples.
    Dcgan loaded = Dcgan.load(half);
    assertArrayEquals(floats(resumed.model().generate(5, 3)), floats(loaded.generate(5, 3)));
    assertArrayEquals(floats(whole.model().generate(5, 3)), floats(loaded.generate(5, 3)));
  }

  @Test
  void runFolderErrors(@TempDir Path dir) {
    INDArray data = DcganTest.images(C, 16, 6);
    Path out = dir.resolve("run");
    GanTraining.train(data, null, C, options(1, out));
    var again = assertThrows(IllegalArgumentException.class, () -> GanTraining.train(data, null, C, options(1, out)));
    assertTrue(again.getMessage().contains("already holds a run"), again.getMessage());
    var other = assertThrows(IllegalArgumentException.class,
        () -> GanTraining.train(data, null, C.withBaseFeatures(8), options(2, out).withResume(true)));
    assertEquals("--resume: --features changed from 4 to 8, --epochs changed from 1 to 2; pass --allow-change to"
        + " accept", other.getMessage());
    Dcgan.load(out); // the refused runs left the run loadable
    assertEquals(2, Checkpoint.read(out.resolve(RunDir.LAST)).step());
    var nothing = assertThrows(IllegalArgumentException.class,
        () -> GanTraining.train(data, null, C, options(1, dir.resolve("none")).withResume(true)));
    assertTrue(nothing.getMessage().contains("holds no checkpoint"), nothing.getMessage());
    var validation = assertThrows(IllegalArgumentException.class,
        () -> GanTraining.train(data, data, C, options(1, dir.resolve("v"))));
    assertTrue(validation.getMessage().contains("validation"), validation.getMessage());
  }

  static float[] floats(INDArray a) {
    return a.dup('c').castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).data().asFloat();
  }
}
