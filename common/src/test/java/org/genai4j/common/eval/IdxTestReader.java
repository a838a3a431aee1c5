package org.genai4j.common.eval;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A minimal gzipped IDX reader for measuring on Fashion-MNIST (common cannot use the datasets module). */
final class IdxTestReader {
  private IdxTestReader() {}

  static final Path FASHION = Path.of(System.getProperty("genai4j.fashion", "/usr/share/datasets/fashion-mnist"));

  /** Images as [N, 1, rows, cols] in [0, 1]; at most {@code limit} images. */
  static INDArray images(Path gz, int limit) throws IOException {
    try (DataInputStream in = open(gz)) {
      if (in.readInt() != 0x803) {
        throw new IOException("not an IDX image file: " + gz);
      }
      int n = Math.min(in.readInt(), limit), rows = in.readInt(), cols = in.readInt();
      byte[] px = new byte[n * rows * cols];
      in.readFully(px);
      float[] f = new float[px.length];
      for (int i = 0; i < px.length; i++) {
        f[i] = (px[i] & 0xff) / 255f;
      }
      return Nd4j.create(f, new long[] {n, 1, rows, cols}, DataType.FLOAT);
    }
  }

  static int[] labels(Path gz, int limit) throws IOException {
    try (DataInputStream in = open(gz)) {
      if (in.readInt() != 0x801) {
        throw new IOException("not an IDX label file: " + gz);
      }
      int n = Math.min(in.readInt(), limit);
      byte[] b = new byte[n];
      in.readFully(b);
      int[] out = new int[n];
      for (int i = 0; i < n; i++) {
        out[i] = b[i];
      }
      return out;
    }
  }

  private static DataInputStream open(Path gz) throws IOException {
    InputStream is = Files.newInputStream(gz);
    return new DataInputStream(new java.io.BufferedInputStream(new GZIPInputStream(is)));
  }
}
