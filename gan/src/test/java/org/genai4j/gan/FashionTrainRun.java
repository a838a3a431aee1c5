package org.genai4j.gan;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Measurement helper (not a test; gan must not depend on the datasets module): trains the reference
 * DCGAN on Fashion-MNIST read straight from the gz IDX files. Args: outDir [epochs] [batch] [limit].
 */
public final class FashionTrainRun {
  public static void main(String[] args) throws IOException {
    Path out = Path.of(args[0]);
    int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    int batch = args.length > 2 ? Integer.parseInt(args[2]) : 64;
    int limit = args.length > 3 ? Integer.parseInt(args[3]) : Integer.MAX_VALUE;
    INDArray images = readImages(Path.of("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"), limit);
    System.out.println("images " + java.util.Arrays.toString(images.shape()) + " load " + org.genai4j.common.util.Threads.loadAverage());
    GanTraining.Result r = GanTraining.train(images, DcganConfig.fashionMnist(),
        GanTrainOptions.of(epochs, out).withBatchSize(batch).withResume(true));
    System.out.printf("steps %d, %.1f s, %.1f images/s, last %s, load %s%n", r.steps(), r.seconds(), r.imagesPerSecond(),
        r.last() == null ? "-" : r.last().metrics(), org.genai4j.common.util.Threads.loadAverage());
  }

  static INDArray readImages(Path gz, int limit) throws IOException {
    try (InputStream is = new GZIPInputStream(Files.newInputStream(gz), 1 << 16);
        DataInputStream in = new DataInputStream(is)) {
      int magic = in.readInt();
      if (magic != 0x803) {
        throw new IOException(gz + ": not an IDX image file (magic " + Integer.toHexString(magic) + ")");
      }
      int n = Math.min(in.readInt(), limit);
      int h = in.readInt();
      int w = in.readInt();
      byte[] bytes = new byte[n * h * w];
      in.readFully(bytes);
      float[] f = new float[bytes.length];
      for (int i = 0; i < f.length; i++) {
        f[i] = (bytes[i] & 0xFF) / 255f;
      }
      return Nd4j.create(f, new long[] {n, 1, h, w}, 'c').castTo(DataType.FLOAT);
    }
  }
}
