package org.genai4j.common.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class CheckpointTest {

  @TempDir Path tmp;

  /** A model with one group holding a parameter and a buffer of the given width. */
  private static Trainable model(int width) {
    INDArray w = Nd4j.rand(2, width);
    INDArray running = Nd4j.rand(width);
    ParameterGroup g = new ParameterGroup() {
      @Override public String name() { return "g"; }
      @Override public Map<String, INDArray> parameters() { return Map.of("w", w); }
      @Override public Map<String, INDArray> buffers() { return Map.of("running", running); }
      @Override public Gradients computeGradients(Batch b, org.genai4j.common.ops.StepContext ctx) { return new Gradients(0, Map.of("w", w.mul(0))); }
    };
    return new Trainable() {
      @Override public List<ParameterGroup> parameterGroups() { return List.of(g); }
      @Override public String configJson() { return "{\"width\":" + width + "}"; }
    };
  }

  @Test
  void roundTripsArraysStepSeedConfigAndValuesAndLeavesNoTempFolder() throws IOException {
    Trainable m = model(3);
    Path dir = tmp.resolve("sub/last");
    Checkpoint.of(m, null, 42, 7, Map.of("best", 1.5)).write(dir);
    Checkpoint.of(m, null, 43, 7, Map.of("best", 1.25)).write(dir); // overwrite in place
    try (Stream<Path> files = Files.list(dir.getParent())) {
      assertEquals(List.of("last"), files.map(p -> p.getFileName().toString()).toList());
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(Checkpoint.MODEL, Checkpoint.OPTIMIZER, Checkpoint.TRAINER),
          files.map(p -> p.getFileName().toString()).sorted().toList());
    }
    Checkpoint c = Checkpoint.read(dir);
    assertEquals(43, c.step());
    assertEquals(7, c.seed());
    assertEquals("{\"width\":3}", c.configJson());
    assertEquals(1.25, c.values().get("best"));

    Trainable fresh = model(3);
    c.restoreInto(fresh);
    ParameterGroup a = m.parameterGroups().get(0);
    ParameterGroup b = fresh.parameterGroups().get(0);
    assertEquals(a.parameters().get("w"), b.parameters().get("w"));
    assertEquals(a.buffers().get("running"), b.buffers().get("running"));
  }

  @Test
  void shapeMismatchNamesTheArray() {
    Path dir = tmp.resolve("c");
    Checkpoint.of(model(3), null, 1, 1, Map.of()).write(dir);
    var e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.read(dir).restoreInto(model(4)));
    assertTrue(e.getMessage().contains("'w'") && e.getMessage().contains("[2, 3]")
        && e.getMessage().contains("[2, 4]"), e.getMessage());
  }

  @Test
  void missingFolderIsAClearError() {
    var e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.read(tmp.resolve("nope")));
    assertTrue(e.getMessage().contains("no checkpoint") && e.getMessage().contains("nope"), e.getMessage());
  }

  @Test
  void anOldZipCheckpointIsAClearError() throws IOException {
    Path file = tmp.resolve("last.ckpt");
    Files.writeString(file, "PK this was a zip");
    var e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.read(file));
    assertTrue(e.getMessage().contains("not a checkpoint folder") && e.getMessage().contains("last.ckpt"),
        e.getMessage());
  }

  @Test
  void garbageWeightsAreAClearError() throws IOException {
    Path dir = tmp.resolve("g");
    Checkpoint.of(model(3), null, 1, 1, Map.of()).write(dir);
    Files.writeString(dir.resolve(Checkpoint.MODEL), "this is not a checkpoint at all");
    var e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.read(dir));
    assertTrue(e.getMessage().contains(Checkpoint.MODEL), e.getMessage());
  }

  @Test
  void truncatedWeightsAreAClearError() throws IOException {
    Path dir = tmp.resolve("t");
    Checkpoint.of(model(50), null, 1, 1, Map.of()).write(dir);
    Path file = dir.resolve(Checkpoint.MODEL);
    byte[] all = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(all, all.length - 40));
    var e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.read(dir));
    assertTrue(e.getMessage().contains(Checkpoint.MODEL), e.getMessage());
  }

  @Test
  void aForeignTrainerFileIsAClearError() throws IOException {
    Path dir = tmp.resolve("f");
    Checkpoint.of(model(3), null, 1, 1, Map.of()).write(dir);
    Files.writeString(dir.resolve(Checkpoint.TRAINER), "{\"format\": 1}");
    var e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.read(dir));
    assertTrue(e.getMessage().contains("format 2"), e.getMessage());
  }
}
