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
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
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
      @Override public Gradients computeGradients(Batch b) { return new Gradients(0, Map.of("w", w.mul(0))); }
    };
    return new Trainable() {
      @Override public List<ParameterGroup> parameterGroups() { return List.of(g); }
      @Override public String configJson() { return "{\"width\":" + width + "}"; }
    };
  }

  @Test
  void roundTripsArraysStepSeedConfigAndValuesAndLeavesNoTempFile() throws IOException {
    Trainable m = model(3);
    Path file = tmp.resolve("sub/last.ckpt");
    Checkpoint.of(m, null, 42, 7, Map.of("best", 1.5)).write(file);
    Checkpoint.of(m, null, 43, 7, Map.of("best", 1.25)).write(file); // overwrite in place
    try (Stream<Path> files = Files.list(file.getParent())) {
      assertEquals(List.of("last.ckpt"), files.map(p -> p.getFileName().toString()).toList());
    }
    Checkpoint c = Checkpoint.read(file);
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
    Path file = tmp.resolve("c.ckpt");
    Checkpoint.of(model(3), null, 1, 1, Map.of()).write(file);
    var e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.read(file).restoreInto(model(4)));
    assertTrue(e.getMessage().contains("'g/w'") && e.getMessage().contains("[2, 3]")
        && e.getMessage().contains("[2, 4]"), e.getMessage());
  }

  @Test
  void missingFileIsAClearError() {
    var e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.read(tmp.resolve("nope.ckpt")));
    assertTrue(e.getMessage().contains("not found") && e.getMessage().contains("nope.ckpt"), e.getMessage());
  }

  @Test
  void garbageFileIsAClearError() throws IOException {
    Path file = tmp.resolve("garbage.ckpt");
    Files.writeString(file, "this is not a checkpoint at all");
    var e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.read(file));
    assertTrue(e.getMessage().contains("not a genai4j checkpoint") && e.getMessage().contains("garbage.ckpt"),
        e.getMessage());
  }

  @Test
  void foreignZipIsAClearError() throws IOException {
    Path file = tmp.resolve("foreign.zip");
    try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(file))) {
      z.putNextEntry(new ZipEntry("readme.txt"));
      z.write("hello".getBytes());
      z.closeEntry();
    }
    var e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.read(file));
    assertTrue(e.getMessage().contains("no meta.json"), e.getMessage());
  }

  @Test
  void truncatedFileIsAClearError() throws IOException {
    Path file = tmp.resolve("t.ckpt");
    Checkpoint.of(model(50), null, 1, 1, Map.of()).write(file);
    byte[] all = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(all, all.length / 2));
    var e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.read(file));
    assertTrue(e.getMessage().contains("t.ckpt"), e.getMessage());
  }
}
