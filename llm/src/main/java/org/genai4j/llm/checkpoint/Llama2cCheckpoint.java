package org.genai4j.llm.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.genai4j.common.ops.Params;
import org.genai4j.common.ops.RotaryEmbedding;
import org.genai4j.common.ops.Tensor;
import org.genai4j.llm.LlmModel;
import org.genai4j.llm.model.Gpt;
import org.genai4j.llm.model.GptConfig;
import org.genai4j.llm.tokenizer.IdTokenizer;

/**
 * A llama2.c checkpoint ({@code .bin}, the legacy "version 0" export that {@code run.c} reads): a
 * header of 7 little-endian int32 ({@code dim, hidden_dim, n_layers, n_heads, n_kv_heads,
 * vocab_size, max_seq_len}; a negative vocab_size means the classifier is not shared with the
 * embedding), then float32 tensors, each stacked over the layers: the token embedding, the
 * attention norms, wq, wk, wv, wo, the MLP norms, w1 (gate), w2 (down), w3 (up), the final norm,
 * two rotary tables run.c no longer reads, and the classifier when unshared.
 *
 * <p>The model is a Llama with llama2.c's rotary pairs ({@link RotaryEmbedding.Layout#PAIRS}), RMS
 * norm eps 1e-5 and theta 10000; its tokenizer is a separate file, so ids print as {@code <id>}.
 * The header is checked and the file's size must be exactly what it declares before anything is
 * allocated.
 */
public final class Llama2cCheckpoint {
  private Llama2cCheckpoint() {}

  private static final int HEADER = 7 * Integer.BYTES;

  /** Whether {@code file} is named like a llama2.c checkpoint ({@code .bin}). */
  public static boolean isIn(Path file) {
    return Files.isRegularFile(file) && file.getFileName().toString().endsWith(".bin");
  }

  /** The configuration a llama2.c header declares, checked against the file's size. */
  public static GptConfig config(Path file) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      return config(file, ch);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("llama2.c checkpoint not found: " + file);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Loads the llama2.c checkpoint {@code file}. */
  public static LlmModel load(Path file) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      GptConfig c = config(file, ch);
      Gpt gpt = new Gpt(c, Params.forLoading());
      Params p = gpt.params();
      int dim = c.nEmbd();
      int kv = c.kvHeads() * c.headSize();
      int hidden = c.hiddenSize();
      int layers = c.nLayer();
      Reader r = new Reader(ch, HEADER);
      r.into(p.get("transformer.wte.weight").value(), 0, c.vocabSize() * dim);
      for (int l = 0; l < layers; l++) {
        r.into(p.get(layer(l, "ln_1.weight")).value(), 0, dim);
      }
      int[] attnRows = {dim, kv, kv};
      int rowStart = 0;
      for (int rows : attnRows) { // wq, wk, wv: the q, k, v rows of each layer's c_attn
        for (int l = 0; l < layers; l++) {
          r.into(p.get(layer(l, "attn.c_attn.weight")).value(), rowStart * dim, rows * dim);
        }
        rowStart += rows;
      }
      for (int l = 0; l < layers; l++) {
        r.into(p.get(layer(l, "attn.c_proj.weight")).value(), 0, dim * dim);
      }
      for (int l = 0; l < layers; l++) {
        r.into(p.get(layer(l, "ln_2.weight")).value(), 0, dim);
      }
      for (int l = 0; l < layers; l++) { // w1: the gate, the first half of c_fc
        r.into(p.get(layer(l, "mlp.c_fc.weight")).value(), 0, hidden * dim);
      }
      for (int l = 0; l < layers; l++) { // w2: down
        r.into(p.get(layer(l, "mlp.c_proj.weight")).value(), 0, dim * hidden);
      }
      for (int l = 0; l < layers; l++) { // w3: up, the second half of c_fc
        r.into(p.get(layer(l, "mlp.c_fc.weight")).value(), hidden * dim, hidden * dim);
      }
      r.into(p.get("transformer.ln_f.weight").value(), 0, dim);
      r.skip((long) c.blockSize() * c.headSize()); // the rotary tables (real and imaginary halves)
      if (!c.tieWeights()) {
        r.into(p.get("lm_head.weight").value(), 0, c.vocabSize() * dim);
      }
      return new LlmModel(gpt, new IdTokenizer(c.vocabSize()), 0);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("llama2.c checkpoint not found: " + file);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + file + ": " + e.getMessage(), e);
    }
  }

  private static String layer(int l, String rest) {
    return "transformer.h." + l + "." + rest;
  }

  private static GptConfig config(Path file, FileChannel ch) throws IOException {
    long size = ch.size();
    if (size < HEADER) {
      throw bad(file, "is " + size + " bytes, shorter than llama2.c's 28-byte header");
    }
    ByteBuffer h = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
    while (h.hasRemaining()) {
      if (ch.read(h, h.position()) < 0) {
        throw bad(file, "ends inside its header");
      }
    }
    h.flip();
    int dim = h.getInt();
    int hidden = h.getInt();
    int layers = h.getInt();
    int heads = h.getInt();
    int kvHeads = h.getInt();
    int vocab = h.getInt();
    int seqLen = h.getInt();
    boolean shared = vocab > 0;
    long v = Math.abs((long) vocab);
    String header = "dim " + dim + ", hidden_dim " + hidden + ", n_layers " + layers + ", n_heads " + heads
        + ", n_kv_heads " + kvHeads + ", vocab_size " + vocab + ", max_seq_len " + seqLen;
    if (dim < 1 || hidden < 1 || layers < 1 || heads < 1 || kvHeads < 1 || v < 1 || seqLen < 1
        || dim % heads != 0 || heads % kvHeads != 0 || (dim / heads) % 2 != 0 || vocab == Integer.MIN_VALUE) {
      throw bad(file, "has a header that is not llama2.c's (" + header + ")");
    }
    long headSize = dim / heads;
    long kv = kvHeads * headSize;
    long expected;
    try {
      long perLayer = Math.addExact(Math.addExact(2L * dim, Math.multiplyExact(2L * dim, (long) dim)),
          Math.addExact(Math.multiplyExact(2 * kv, (long) dim), Math.multiplyExact(3L * dim, (long) hidden)));
      long floats = Math.addExact(Math.addExact(Math.multiplyExact(v, (long) dim) * (shared ? 1 : 2),
          Math.multiplyExact(perLayer, (long) layers)), dim + (long) seqLen * headSize);
      expected = Math.addExact(HEADER, Math.multiplyExact(4L, floats));
    } catch (ArithmeticException e) {
      expected = -1;
    }
    if (expected != size) {
      throw bad(file, "is " + size + " bytes, but its header (" + header + ") declares " + expected);
    }
    return GptConfig.llama((int) v, layers, heads, kvHeads, dim, seqLen).withMlp(GptConfig.Mlp.SWIGLU, hidden)
        .withRotary(10000, RotaryEmbedding.Layout.PAIRS).withTieWeights(shared);
  }

  private static IllegalArgumentException bad(Path file, String what) {
    return new IllegalArgumentException("llama2.c checkpoint " + file + " " + what);
  }

  /** Reads consecutive float32 runs of the file into tensors, in chunks. */
  private static final class Reader {
    private final FileChannel ch;
    private long position;
    private final ByteBuffer chunk = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
    private final float[] floats = new float[(1 << 20) / Float.BYTES];

    Reader(FileChannel ch, long position) {
      this.ch = ch;
      this.position = position;
    }

    /** The next {@code n} floats into {@code t} from element {@code offset}. */
    void into(Tensor t, int offset, int n) throws IOException {
      int done = 0;
      while (done < n) {
        int len = Math.min(floats.length, n - done);
        chunk.clear().limit(len * Float.BYTES);
        while (chunk.hasRemaining()) {
          if (ch.read(chunk, position + chunk.position()) < 0) {
            throw new IOException("unexpected end of file");
          }
        }
        chunk.flip();
        chunk.asFloatBuffer().get(floats, 0, len);
        t.write(offset + done, floats, 0, len);
        position += (long) len * Float.BYTES;
        done += len;
      }
    }

    void skip(long n) {
      position += n * Float.BYTES;
    }
  }
}
