package org.genai4j.common.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.genai4j.common.ops.Tensor;
import org.genai4j.common.testing.FileFuzzer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class SafetensorsTest {

  @TempDir
  Path dir;

  /** A file from a header string and data bytes, byte for byte as the format lays them out. */
  static Path file(Path dir, String header, byte[] data) throws IOException {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h).put(data);
    Path f = Files.createTempFile(dir, "t", ".safetensors");
    Files.write(f, b.array());
    return f;
  }

  static byte[] floats(float... v) {
    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float x : v) {
      b.putFloat(x);
    }
    return b.array();
  }

  @Test
  void writesWhatItReadsBack() {
    Map<String, org.nd4j.linalg.api.ndarray.INDArray> t = new LinkedHashMap<>();
    t.put("a.weight", Nd4j.rand(DataType.FLOAT, 3, 4));
    t.put("b", Nd4j.rand(DataType.DOUBLE, 5));
    t.put("empty", Nd4j.create(DataType.FLOAT, 0, 3));
    Path f = dir.resolve("m.safetensors");
    Safetensors.write(f, t, Map.of("format", "genai4j"));
    SafetensorsFile r = SafetensorsFile.open(f);
    assertEquals(Map.of("format", "genai4j"), r.metadata());
    assertEquals(java.util.List.of("a.weight", "b", "empty"), java.util.List.copyOf(r.entries().keySet()));
    assertArrayEquals(t.get("a.weight").data().asFloat(), r.read("a.weight").toArray());
    assertArrayEquals(t.get("b").castTo(DataType.FLOAT).data().asFloat(), r.read("b").toArray());
    assertArrayEquals(new int[] {0, 3}, r.read("empty").shape());
  }

  @Test
  void readsTheFormatAsOtherWritersLayItOut() throws IOException {
    // Header without padding, tensors out of order, metadata last: all allowed by the format.
    String h = "{\"y\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]},"
        + "\"x\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[0,8]},\"__metadata__\":{\"k\":\"v\"}}";
    SafetensorsFile r = SafetensorsFile.open(file(dir, h, floats(1, 2, 3, 4)));
    assertArrayEquals(new float[] {1, 2}, r.read("x").toArray());
    assertArrayEquals(new float[] {3, 4}, r.read("y").toArray());
  }

  @Test
  void convertsHalfAndBfloat16() throws IOException {
    // 1.0, -2.0, 0.5 in F16 (0x3C00, 0xC000, 0x3800) and BF16 (0x3F80, 0xC000, 0x3F00); a F16 subnormal.
    ByteBuffer b = ByteBuffer.allocate(14).order(ByteOrder.LITTLE_ENDIAN);
    b.putShort((short) 0x3C00).putShort((short) 0xC000).putShort((short) 0x3800);
    b.putShort((short) 0x3F80).putShort((short) 0xC000).putShort((short) 0x3F00);
    b.putShort((short) 0x0001);
    String h = "{\"h\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,6]},"
        + "\"b\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[6,12]},"
        + "\"s\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[12,14]}}";
    SafetensorsFile r = SafetensorsFile.open(file(dir, h, b.array()));
    assertArrayEquals(new float[] {1, -2, 0.5f}, r.read("h").toArray());
    assertArrayEquals(new float[] {1, -2, 0.5f}, r.read("b").toArray());
    assertEquals(5.960464477539063e-8f, r.read("s").get(0));
  }

  private void rejected(String header, byte[] data, String expected) throws IOException {
    Path f = file(dir, header, data);
    var e = assertThrows(IllegalArgumentException.class, () -> SafetensorsFile.open(f));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
    assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
  }

  @Test
  void namesWhatIsWrongWithABadFile() throws IOException {
    rejected("{\"x\":", new byte[0], "not valid JSON");
    rejected("[1,2]", new byte[0], "not a JSON object");
    rejected("{\"x\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", new byte[8], "dtype I64");
    rejected("{\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8], "shape [3]");
    rejected("{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", new byte[8], "outside the 8 bytes");
    rejected("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
        + "\"y\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12], "overlapping");
    rejected("{\"x\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,0]}}", new byte[0], "shape entry -1");
    rejected("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
        + "\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8], "not valid JSON");
    rejected("{\"x\":{\"dtype\":\"F32\",\"shape\":[65536,65536,65536],\"data_offsets\":[0,8]}}", new byte[8], "needs");
  }

  @Test
  void aHeaderLengthBeyondTheFileIsRejectedWithoutAllocatingIt() throws IOException {
    ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(4_000_000_000L).put("{}\0\0\0\0\0\0".getBytes(StandardCharsets.UTF_8));
    Path f = dir.resolve("huge.safetensors");
    Files.write(f, b.array());
    var e = assertThrows(IllegalArgumentException.class, () -> SafetensorsFile.open(f));
    assertTrue(e.getMessage().contains("4000000000"), e.getMessage());
  }

  @Test
  void aMissingOrMisshapedTensorIsNamed() {
    Path f = dir.resolve("m.safetensors");
    Safetensors.write(f, Map.of("w", Nd4j.rand(DataType.FLOAT, 2, 3)), Map.of());
    SafetensorsFile r = SafetensorsFile.open(f);
    var missing = assertThrows(IllegalArgumentException.class, () -> r.read("v"));
    assertTrue(missing.getMessage().contains("no tensor 'v'"), missing.getMessage());
    var shape = assertThrows(IllegalArgumentException.class, () -> r.readInto("w", Tensor.zeros(3, 2)));
    assertTrue(shape.getMessage().contains("[2, 3]") && shape.getMessage().contains("[3, 2]"), shape.getMessage());
  }

  /** 2,000 seeded corruptions of a valid file: each a clean read or a one-line named error, none slow or large. */
  @Test
  void fuzzedFilesFailCleanly() throws Exception {
    Path good = dir.resolve("good.safetensors");
    Map<String, org.nd4j.linalg.api.ndarray.INDArray> t = new LinkedHashMap<>();
    t.put("a", Nd4j.rand(DataType.FLOAT, 4, 3));
    t.put("b", Nd4j.rand(DataType.FLOAT, 7));
    t.put("c", Nd4j.rand(DataType.DOUBLE, 2, 2));
    Safetensors.write(good, t, Map.of("k", "v"));
    FileFuzzer.Report report = FileFuzzer.of("fuzz.safetensors", Files.readAllBytes(good))
        .run(dir, 2_000, 42, f -> {
          SafetensorsFile r = SafetensorsFile.open(f);
          for (String name : r.entries().keySet()) {
            r.read(name);
          }
        });
    System.out.println("safetensors fuzz: " + report.summary());
    assertEquals(0, report.failed(), String.join("\n", report.failures()));
  }
}
