package org.genai4j.vae;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Writes images in [0,1] as an IDX unsigned-byte file, the MNIST format: magic {@code 0x00000803}
 * and dimensions N, H, W for one channel; {@code 0x00000804} and N, C, H, W otherwise. Pixels are
 * rounded to 0..255.
 */
public final class IdxWriter {
  private IdxWriter() {}

  /** Writes {@code images} [N, C, H, W] (or [N, H, W]) with values in [0,1] to {@code file}. */
  public static void writeImages(Path file, INDArray images) {
    long[] s = images.shape();
    if (images.rank() != 4 && images.rank() != 3) {
      throw new IllegalArgumentException("IDX images must be [N, C, H, W] or [N, H, W], got " + Arrays.toString(s));
    }
    long[] dims = images.rank() == 4 && s[1] == 1 ? new long[] {s[0], s[2], s[3]} : s;
    float[] v = images.castTo(DataType.FLOAT).dup('c').data().asFloat();
    try {
      Path parent = file.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
        out.writeInt(0x00000800 | dims.length);
        for (long d : dims) {
          out.writeInt((int) d);
        }
        for (float f : v) {
          out.writeByte(PngGrid.toByte(f));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not write IDX file " + file + ": " + e.getMessage(), e);
    }
  }
}
