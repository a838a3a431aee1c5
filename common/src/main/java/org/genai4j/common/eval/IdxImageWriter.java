package org.genai4j.common.eval;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.genai4j.common.util.AtomicFile;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Writes images as an IDX file of unsigned bytes, the layout of the MNIST files: grey images
 * ({@code [N, 1, H, W]} or {@code [N, H, W]}) as {@code N x H x W} with magic {@code 0x00000803},
 * colour images as {@code N x C x H x W} with magic {@code 0x00000804}. Pixels in [0, 1] become
 * bytes 0..255. A name ending in {@code .gz} is gzip-compressed. Written to a temporary file and
 * moved into place.
 */
public final class IdxImageWriter {
  private IdxImageWriter() {}

  public static void write(INDArray images01, Path file) {
    long[] s = images01.shape();
    long[] dims;
    if (images01.rank() == 3) {
      dims = s;
    } else if (images01.rank() == 4) {
      dims = s[1] == 1 ? new long[] {s[0], s[2], s[3]} : s;
    } else {
      throw new IllegalArgumentException("IDX images must be [N, C, H, W] or [N, H, W], got " + Arrays.toString(s));
    }
    float[] v = images01.castTo(DataType.FLOAT).dup('c').data().asFloat();
    byte[] bytes = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      bytes[i] = (byte) Math.max(0, Math.min(255, Math.round(v[i] * 255f)));
    }
    AtomicFile.write(file, "IDX file", tmp -> {
      try (OutputStream raw = Files.newOutputStream(tmp);
          OutputStream os = file.toString().endsWith(".gz") ? new GZIPOutputStream(raw) : raw;
          DataOutputStream out = new DataOutputStream(new BufferedOutputStream(os, 1 << 16))) {
        out.writeInt(0x00000800 | dims.length);
        for (long d : dims) {
          out.writeInt((int) d);
        }
        out.write(bytes);
      }
    });
  }
}
