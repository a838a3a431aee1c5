package org.genai4j.common.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.genai4j.common.util.AtomicFile;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Writes the safetensors format (Hugging Face's): an 8-byte little-endian header length, a JSON
 * header {@code {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}}, then
 * the tensors' bytes, little-endian, row-major, each at its offsets relative to the end of the
 * header. genai4j writes F32 (F64 for DOUBLE arrays, so a double-precision model resumes exactly);
 * {@link SafetensorsFile} reads them back (and F16, BF16). Anyone
 * with PyTorch opens such a file with {@code safetensors.torch.load_file}.
 */
public final class Safetensors {
  private Safetensors() {}

  static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Writes {@code tensors} (DOUBLE arrays as F64, any other type as F32) in their map's order with string
   * {@code metadata}, atomically: a reader sees the old file or the whole new one.
   */
  public static void write(Path file, Map<String, INDArray> tensors, Map<String, String> metadata) {
    ObjectNode header = JSON.createObjectNode();
    if (!metadata.isEmpty()) {
      ObjectNode meta = header.putObject("__metadata__");
      metadata.forEach(meta::put);
    }
    long offset = 0;
    for (var e : tensors.entrySet()) {
      if (e.getKey().equals("__metadata__") || e.getKey().isEmpty()) {
        throw new IllegalArgumentException("'" + e.getKey() + "' cannot name a tensor in a safetensors file");
      }
      INDArray a = e.getValue();
      ObjectNode entry = header.putObject(e.getKey());
      entry.put("dtype", isDouble(a) ? "F64" : "F32");
      ArrayNode shape = entry.putArray("shape");
      for (long s : a.shape()) {
        shape.add(s);
      }
      long bytes = a.length() * (isDouble(a) ? Double.BYTES : Float.BYTES);
      entry.putArray("data_offsets").add(offset).add(offset + bytes);
      offset += bytes;
    }
    byte[] json;
    try {
      json = JSON.writeValueAsBytes(header);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    // The format pads the header with spaces to a multiple of 8 bytes, so the data is aligned.
    int padded = (json.length + 7) / 8 * 8;
    AtomicFile.write(file, "safetensors file", tmp -> {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
          head.put((byte) ' ');
        }
        head.flip();
        writeFully(ch, head);
        ByteBuffer chunk = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        for (INDArray a : tensors.values()) {
          if (isDouble(a)) {
            double[] values = a.dup('c').reshape(a.length()).toDoubleVector();
            for (int i = 0; i < values.length; ) {
              chunk.clear();
              int n = Math.min(values.length - i, chunk.capacity() / Double.BYTES);
              chunk.asDoubleBuffer().put(values, i, n);
              chunk.limit(n * Double.BYTES);
              writeFully(ch, chunk);
              i += n;
            }
            continue;
          }
          INDArray f = a.dataType() == DataType.FLOAT ? a : a.castTo(DataType.FLOAT);
          float[] values = f.dup('c').reshape(f.length()).toFloatVector();
          for (int i = 0; i < values.length; ) {
            chunk.clear();
            int n = Math.min(values.length - i, chunk.capacity() / Float.BYTES);
            chunk.asFloatBuffer().put(values, i, n);
            chunk.limit(n * Float.BYTES);
            writeFully(ch, chunk);
            i += n;
          }
        }
        ch.force(true);
      }
    });
  }

  private static boolean isDouble(INDArray a) {
    return a.dataType() == DataType.DOUBLE;
  }

  private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }
}
