package org.genai4j.common.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.DataInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

class IdxImageWriterTest {

  @TempDir Path tmp;

  @Test
  void greyImagesUseTheMnistLayout() throws Exception {
    float[] px = {0f, 1f, 0.5f, 0.2f, 1f, 0f, 0f, 0f};
    Path f = tmp.resolve("x.idx.gz");
    IdxImageWriter.write(Nd4j.create(px, new long[] {2, 1, 2, 2}), f);
    try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(f)))) {
      assertEquals(0x00000803, in.readInt());
      assertEquals(2, in.readInt());
      assertEquals(2, in.readInt());
      assertEquals(2, in.readInt());
      byte[] body = in.readAllBytes();
      assertArrayEquals(new byte[] {0, (byte) 255, (byte) 128, 51, (byte) 255, 0, 0, 0}, body);
    }
  }

  @Test
  void rejectsNonImageShapes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> IdxImageWriter.write(Nd4j.zeros(4, 5), tmp.resolve("y.idx")));
    assertEquals(true, e.getMessage().contains("[4, 5]"));
  }
}
