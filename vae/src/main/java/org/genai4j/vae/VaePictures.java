package org.genai4j.vae;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.genai4j.common.eval.ImageGrid;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** PNG grids that show what a VAE learned. */
public final class VaePictures {
  private VaePictures() {}

  /** File names {@link #writeAll} uses inside a run directory. */
  public static final String RECONSTRUCTIONS = "reconstructions.png";
  public static final String SAMPLES = "samples.png";
  public static final String INTERPOLATION = "interpolation.png";
  public static final String MANIFOLD = "manifold.png";

  /**
   * The first {@code n} images and their reconstructions (decoded posterior means): rows of 10
   * originals, each followed by a row of their reconstructions.
   */
  public static void reconstructions(Vae vae, INDArray images, int n, Path file) {
    int m = (int) Math.min(n, images.size(0));
    INDArray orig = images.get(NDArrayIndex.interval(0, m)).dup('c');
    INDArray rec = vae.reconstruct(orig);
    int cols = 10;
    List<INDArray> rows = new ArrayList<>();
    for (int s = 0; s < m; s += cols) {
      int e = Math.min(m, s + cols);
      rows.add(orig.get(NDArrayIndex.interval(s, e)));
      rows.add(rec.get(NDArrayIndex.interval(s, e)).castTo(orig.dataType()));
    }
    // Pad a short last row pair so originals and reconstructions stay aligned in the grid.
    List<INDArray> padded = new ArrayList<>();
    for (INDArray r : rows) {
      padded.add(r);
      if (r.size(0) < cols) {
        long[] shape = r.shape().clone();
        shape[0] = cols - r.size(0);
        padded.add(Nd4j.zeros(r.dataType(), shape));
      }
    }
    tile(file, Nd4j.concat(0, padded.toArray(new INDArray[0])), cols);
  }

  /** Any images [N, C, H, W] in [0,1] (C = 1 or 3) as a PNG grid with {@code columns} per row. */
  public static void grid(Path file, INDArray images, int columns) {
    tile(file, images, columns);
  }

  /** {@code n} prior samples (pixel means) drawn from {@code seed}. */
  public static void samples(Vae vae, int n, long seed, Path file) {
    tile(file, vae.sample(n, seed), 10);
  }

  /**
   * One row per pair (images 2i, 2i+1): decodings of {@code steps} points on the straight line
   * between the two posterior means, endpoints included.
   */
  public static void interpolation(Vae vae, INDArray images, int pairs, int steps, Path file) {
    if (steps < 2) throw new IllegalArgumentException("interpolation needs >= 2 steps, got " + steps);
    int p = (int) Math.min(pairs, images.size(0) / 2);
    if (p < 1) throw new IllegalArgumentException("interpolation needs at least 2 images");
    INDArray mu = vae.encodeMean(images.get(NDArrayIndex.interval(0, 2 * p)).dup('c'));
    INDArray z = Nd4j.create(mu.dataType(), (long) p * steps, mu.size(1));
    for (int i = 0; i < p; i++) {
      INDArray a = mu.getRow(2 * i);
      INDArray b = mu.getRow(2 * i + 1);
      for (int t = 0; t < steps; t++) {
        double w = (double) t / (steps - 1);
        z.putRow((long) i * steps + t, a.mul(1 - w).add(b.mul(w)));
      }
    }
    tile(file, vae.decode(z), steps);
  }

  /**
   * For a 2-D latent space: decodings of a {@code size x size} grid of z over [-2.5, 2.5]^2
   * (about 99% of the prior's mass per axis), z1 along rows, z2 along columns.
   */
  public static void manifold(Vae vae, int size, Path file) {
    if (vae.config().latent() != 2) {
      throw new IllegalArgumentException("the latent manifold needs latent size 2, this VAE has " + vae.config().latent());
    }
    INDArray z = Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, (long) size * size, 2);
    for (int i = 0; i < size; i++) {
      for (int j = 0; j < size; j++) {
        z.putScalar(new long[] {(long) i * size + j, 0}, -2.5 + 5.0 * i / Math.max(1, size - 1));
        z.putScalar(new long[] {(long) i * size + j, 1}, -2.5 + 5.0 * j / Math.max(1, size - 1));
      }
    }
    tile(file, vae.decode(z), size);
  }

  /**
   * Writes reconstructions (of the first 40 images), 100 samples, 8 interpolations of 10 steps
   * and, for a 2-D latent space, a 20x20 manifold into {@code dir}; returns the files written.
   */
  public static List<Path> writeAll(Vae vae, INDArray images, Path dir, long seed) {
    List<Path> out = new ArrayList<>();
    out.add(dir.resolve(RECONSTRUCTIONS));
    reconstructions(vae, images, 40, out.get(out.size() - 1));
    out.add(dir.resolve(SAMPLES));
    samples(vae, 100, seed, out.get(out.size() - 1));
    if (images.size(0) >= 2) {
      out.add(dir.resolve(INTERPOLATION));
      interpolation(vae, images, 8, 10, out.get(out.size() - 1));
    }
    if (vae.config().latent() == 2) {
      out.add(dir.resolve(MANIFOLD));
      manifold(vae, 20, out.get(out.size() - 1));
    }
    return out;
  }

  /** All images in rows of {@code columns} tiles, 2 pixels apart (common's {@link ImageGrid}). */
  private static void tile(Path file, INDArray images, int columns) {
    int n = (int) images.size(0);
    int cols = Math.max(1, Math.min(columns, n));
    ImageGrid.write(images, (n + cols - 1) / cols, cols, false, 2, 1, file);
  }
}
