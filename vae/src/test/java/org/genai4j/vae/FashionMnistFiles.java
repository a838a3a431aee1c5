package org.genai4j.vae;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Throwaway reader of gzipped IDX image files for measurement runs only (the real CLI gets its
 * arrays from the datasets module, which vae must not depend on).
 */
final class FashionMnistFiles {
  private FashionMnistFiles() {}

  static final Path DIR = Path.of("/usr/share/datasets/fashion-mnist");

  /** Images [N, 1, 28, 28] in [0,1]. */
  static INDArray images(String name) throws IOException {
    try (InputStream raw = Files.newInputStream(DIR.resolve(name));
        DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(new GZIPInputStream(raw)))) {
      int magic = in.readInt();
      if (magic != 0x00000803) throw new IOException("not an IDX image file: " + name);
      int n = in.readInt();
      int h = in.readInt();
      int w = in.readInt();
      byte[] b = new byte[n * h * w];
      in.readFully(b);
      float[] f = new float[b.length];
      for (int i = 0; i < b.length; i++) {
        f[i] = (b[i] & 0xFF) / 255f;
      }
      return Nd4j.create(f, new long[] {n, 1, h, w}, DataType.FLOAT);
    }
  }

  static boolean available() {
    return Files.exists(DIR.resolve("train-images-idx3-ubyte.gz"));
  }
}
