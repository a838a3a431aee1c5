package org.genai4j.common.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.genai4j.common.ops.Tensor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A safetensors file opened for reading: its header is read and checked in full on opening, its
 * tensors are read on demand from a memory mapping of the file: F32, F16, BF16 (and F64) as float
 * tensors, or as ND4J arrays in their own precision ({@link #readArray}).
 *
 * <p>A file is data, never trusted: every way a header can lie gets a one-line error naming the
 * file and the field (a header length beyond the file, JSON that does not parse, an unknown dtype,
 * a shape that does not match the byte length, offsets outside the data or overlapping), and
 * nothing is allocated beyond what the file's size justifies.
 */
public final class SafetensorsFile {

  /** A tensor's header entry. */
  public record Entry(String name, String dtype, int[] shape, long begin, long end) {
    /** The number of elements. */
    public long length() {
      long n = 1;
      for (int s : shape) {
        n *= s;
      }
      return n;
    }
  }

  private static final ObjectMapper STRICT = new ObjectMapper()
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  /** The largest header accepted (Hugging Face's reader allows 100 MB). */
  private static final long MAX_HEADER = 100L << 20;

  private final Path file;
  private final long dataStart;
  private final Map<String, Entry> entries;
  private final Map<String, String> metadata;

  private SafetensorsFile(Path file, long dataStart, Map<String, Entry> entries, Map<String, String> metadata) {
    this.file = file;
    this.dataStart = dataStart;
    this.entries = entries;
    this.metadata = metadata;
  }

  /** Opens and checks {@code file}; a one-line {@link IllegalArgumentException} for anything wrong. */
  public static SafetensorsFile open(Path file) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < 8) {
        throw bad(file, "is " + size + " bytes, too short for a safetensors header");
      }
      ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(ch, lenBuf, 0);
      long headerLength = lenBuf.flip().getLong();
      if (headerLength < 2 || headerLength > size - 8 || headerLength > MAX_HEADER) {
        throw bad(file, "declares a header of " + headerLength + " bytes, but the file has " + (size - 8)
            + " bytes after the length field");
      }
      ByteBuffer head = ByteBuffer.allocate((int) headerLength);
      readFully(ch, head, 8);
      long dataStart = 8 + headerLength;
      return parse(file, head.array(), size - dataStart, dataStart);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("safetensors file not found: " + file);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + file + ": " + e.getMessage(), e);
    }
  }

  private static SafetensorsFile parse(Path file, byte[] header, long dataSize, long dataStart) {
    JsonNode root;
    try {
      root = STRICT.readTree(header);
    } catch (JsonProcessingException e) {
      throw bad(file, "has a header that is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw bad(file, "has an unreadable header: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw bad(file, "has a header that is not a JSON object");
    }
    Map<String, Entry> entries = new LinkedHashMap<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      String name = f.getKey();
      JsonNode v = f.getValue();
      if (name.equals("__metadata__")) {
        if (!v.isObject()) {
          throw bad(file, "has __metadata__ that is not an object of strings");
        }
        v.fields().forEachRemaining(m -> {
          if (!m.getValue().isTextual()) {
            throw bad(file, "has __metadata__ value '" + m.getKey() + "' that is not a string");
          }
          metadata.put(m.getKey(), m.getValue().asText());
        });
        continue;
      }
      entries.put(name, entry(file, name, v, dataSize));
    }
    // Tensors must not share bytes.
    List<Entry> sorted = new ArrayList<>(entries.values());
    sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
    for (int i = 1; i < sorted.size(); i++) {
      Entry a = sorted.get(i - 1);
      Entry b = sorted.get(i);
      if (b.begin() < a.end()) {
        throw bad(file, "has overlapping tensors '" + a.name() + "' [" + a.begin() + ", " + a.end() + ") and '"
            + b.name() + "' [" + b.begin() + ", " + b.end() + ")");
      }
    }
    return new SafetensorsFile(file, dataStart, Collections.unmodifiableMap(entries),
        Collections.unmodifiableMap(metadata));
  }

  private static Entry entry(Path file, String name, JsonNode v, long dataSize) {
    String where = "tensor '" + name + "'";
    if (!v.isObject()) {
      throw bad(file, "has " + where + " whose entry is not an object");
    }
    JsonNode dtype = v.get("dtype");
    if (dtype == null || !dtype.isTextual()) {
      throw bad(file, "has " + where + " without a dtype");
    }
    int width = switch (dtype.asText()) {
      case "F64" -> 8;
      case "F32" -> 4;
      case "F16", "BF16" -> 2;
      default -> throw bad(file, "has " + where + " of dtype " + dtype.asText() + "; genai4j reads F32, F16, BF16 and F64");
    };
    JsonNode shapeNode = v.get("shape");
    if (shapeNode == null || !shapeNode.isArray() || shapeNode.size() > 8) {
      throw bad(file, "has " + where + " without a shape (an array of at most 8 sizes)");
    }
    int[] shape = new int[shapeNode.size()];
    long n = 1;
    for (int d = 0; d < shape.length; d++) {
      JsonNode s = shapeNode.get(d);
      if (!s.canConvertToLong() || s.asLong() < 0 || s.asLong() > Integer.MAX_VALUE) {
        throw bad(file, "has " + where + " with shape entry " + s + " (expected a size >= 0)");
      }
      shape[d] = (int) s.asLong();
      n = Math.multiplyHigh(n, shape[d]) != 0 ? Long.MAX_VALUE : n * shape[d];
    }
    JsonNode off = v.get("data_offsets");
    if (off == null || !off.isArray() || off.size() != 2 || !off.get(0).canConvertToLong()
        || !off.get(1).canConvertToLong()) {
      throw bad(file, "has " + where + " without data_offsets [begin, end]");
    }
    long begin = off.get(0).asLong();
    long end = off.get(1).asLong();
    if (begin < 0 || end < begin || end > dataSize) {
      throw bad(file, "has " + where + " at bytes [" + begin + ", " + end + "), outside the " + dataSize
          + " bytes of data");
    }
    if (n > Integer.MAX_VALUE - 8 || n * width != end - begin) {
      throw bad(file, "has " + where + " of dtype " + dtype.asText() + " and shape " + Arrays.toString(shape)
          + ", which needs " + (n > Integer.MAX_VALUE ? "too many" : String.valueOf(n * width)) + " bytes, but its offsets span "
          + (end - begin));
    }
    return new Entry(name, dtype.asText(), shape, begin, end);
  }

  public Path file() {
    return file;
  }

  /** The tensors' header entries by name, in the header's order. */
  public Map<String, Entry> entries() {
    return entries;
  }

  /** The header's {@code __metadata__}. */
  public Map<String, String> metadata() {
    return metadata;
  }

  public boolean contains(String name) {
    return entries.containsKey(name);
  }

  /** Reads tensor {@code name} as float; a named error when the file has no such tensor. */
  public Tensor read(String name) {
    Entry e = entries.get(name);
    if (e == null) {
      throw new IllegalArgumentException("safetensors file " + file + " has no tensor '" + name + "'");
    }
    Tensor t = Tensor.zeros(e.shape());
    readInto(e, t);
    return t;
  }

  /**
   * Reads tensor {@code name} as an ND4J array: DOUBLE when it is stored as F64 (so a
   * double-precision model round-trips exactly), else FLOAT.
   */
  public INDArray readArray(String name) {
    Entry e = entries.get(name);
    if (e == null) {
      throw new IllegalArgumentException("safetensors file " + file + " has no tensor '" + name + "'");
    }
    if (!e.dtype().equals("F64")) {
      return read(name).array();
    }
    long[] shape = Arrays.stream(e.shape()).asLongStream().toArray();
    double[] values = new double[(int) e.length()];
    if (values.length > 0) {
      mapped(e).asDoubleBuffer().get(values);
    }
    return Nd4j.create(values, shape, DataType.DOUBLE);
  }

  /**
   * Reads tensor {@code name} into {@code target}, whose shape it must have; a named error for a
   * missing or misshaped tensor.
   */
  public void readInto(String name, Tensor target) {
    Entry e = entries.get(name);
    if (e == null) {
      throw new IllegalArgumentException("safetensors file " + file + " has no tensor '" + name + "'");
    }
    if (!Arrays.equals(e.shape(), target.shape())) {
      throw new IllegalArgumentException("tensor '" + name + "' in " + file + " has shape " + Arrays.toString(e.shape())
          + ", expected " + Arrays.toString(target.shape()));
    }
    readInto(e, target);
  }

  private void readInto(Entry e, Tensor target) {
    int n = (int) e.length();
    if (n == 0) {
      return;
    }
    ByteBuffer bytes = mapped(e);
    float[] chunk = new float[Math.min(n, 1 << 16)];
    {
      for (int at = 0; at < n; at += chunk.length) {
        int len = Math.min(chunk.length, n - at);
        switch (e.dtype()) {
          case "F32" -> bytes.asFloatBuffer().get(at, chunk, 0, len);
          case "F64" -> {
            for (int i = 0; i < len; i++) {
              chunk[i] = (float) bytes.getDouble(8 * (at + i));
            }
          }
          case "BF16" -> {
            for (int i = 0; i < len; i++) {
              chunk[i] = Float.intBitsToFloat((bytes.getShort(2 * (at + i)) & 0xFFFF) << 16);
            }
          }
          case "F16" -> {
            for (int i = 0; i < len; i++) {
              chunk[i] = halfToFloat(bytes.getShort(2 * (at + i)));
            }
          }
          default -> throw new IllegalStateException(e.dtype());
        }
        target.write(at, chunk, 0, len);
      }
    }
  }

  /** The bytes of tensor {@code e}, mapped from the file (little-endian). */
  private ByteBuffer mapped(Entry e) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      if (ch.size() < dataStart + e.end()) {
        throw bad(file, "was cut short: tensor '" + e.name() + "' ends past the end of the file");
      }
      return ch.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin(), e.end() - e.begin())
          .order(ByteOrder.LITTLE_ENDIAN);
    } catch (IOException ex) {
      throw new UncheckedIOException("could not read tensor '" + e.name() + "' from " + file + ": " + ex.getMessage(), ex);
    }
  }

  /** IEEE 754 half precision to float (normals, subnormals, infinities and NaN). */
  static float halfToFloat(short h) {
    int bits = h & 0xFFFF;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1F;
    int mant = bits & 0x3FF;
    if (exp == 0x1F) {
      return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
    }
    if (exp == 0) {
      if (mant == 0) {
        return Float.intBitsToFloat(sign);
      }
      // Subnormal: mant * 2^-24.
      float v = mant * 0x1p-24f;
      return sign == 0 ? v : -v;
    }
    return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
  }

  private static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
    while (b.hasRemaining()) {
      int n = ch.read(b, pos + b.position());
      if (n < 0) {
        throw new IOException("unexpected end of file");
      }
    }
  }

  private static IllegalArgumentException bad(Path file, String what) {
    return new IllegalArgumentException("safetensors file " + file + " " + what);
  }
}
