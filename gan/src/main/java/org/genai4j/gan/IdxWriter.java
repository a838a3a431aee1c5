package org.genai4j.gan;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Writes grey images as an IDX file in the MNIST layout: magic {@code 0x00000803} (unsigned bytes,
 * 3 dimensions), then N, rows, columns as big-endian ints, then the pixels row by row as bytes
 * 0..255. A name ending in {@code .gz} is gzip-compressed.
 */
public final class IdxWriter {
  private IdxWriter() {}

  /** The IDX magic number of a 3-dimensional unsigned-byte array. */
  public static final int MAGIC_UBYTE_3D = 0x00000803;

  /** Writes {@code images} ({@code [N, 1, H, W]} or {@code [N, H, W]}, values in [0, 1]) to {@code file}. */
  public static void writeImages(INDArray images, Path file) {
    long[] s = images.shape();
    boolean ok = (images.rank() == 4 && s[1] == 1) || images.rank() == 3;
    if (!ok) {
      throw new IllegalArgumentException("IDX images must be [N, 1, H, W] or [N, H, W] (grey), got "
          + java.util.Arrays.toString(s));
    }
    int n = (int) s[0];
    int h = (int) s[images.rank() - 2];
    int w = (int) s[images.rank() - 1];
    float[] v = images.castTo(DataType.FLOAT).dup('c').data().asFloat();
    try {
      Path parent = file.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      try (OutputStream raw = Files.newOutputStream(file);
          OutputStream os = file.toString().endsWith(".gz") ? new GZIPOutputStream(raw) : raw;
          DataOutputStream out = new DataOutputStream(new BufferedOutputStream(os, 1 << 16))) {
        out.writeInt(MAGIC_UBYTE_3D);
        out.writeInt(n);
        out.writeInt(h);
        out.writeInt(w);
        byte[] bytes = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
          bytes[i] = (byte) Math.max(0, Math.min(255, Math.round(v[i] * 255f)));
        }
        out.write(bytes);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not write IDX file " + file + ": " + e.getMessage(), e);
    }
  }
}
