package org.genai4j.samples.cli;

import java.nio.file.Path;
import org.genai4j.common.eval.IdxImageWriter;
import org.genai4j.common.eval.ImageGrid;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import picocli.CommandLine.Option;

/** Where a {@code sample} command writes its images: an IDX file and a PNG grid. */
public final class SampleFiles {

  @Option(names = "--n", defaultValue = "10000", description = "Images to generate.")
  int n;

  @Option(names = "--out", paramLabel = "FILE", description = "IDX ubyte file (N x H x W, the dataset's layout).")
  Path idx;

  @Option(names = "--grid", paramLabel = "PNG", description = "PNG grid of the first 100 images.")
  Path grid;

  /** The number of images to generate, checked, and that they go somewhere (call before generating). */
  int count() {
    if (idx == null && grid == null) {
      throw new IllegalArgumentException("nothing to write: give --out FILE (IDX images), --grid PNG, or both");
    }
    if (n < 1) {
      throw new IllegalArgumentException("--n must be >= 1, got " + n);
    }
    return n;
  }

  /** Writes {@code images} ({@code [N, C, H, W]} in [0, 1]) where the options say. */
  void write(INDArray images) {
    if (idx != null) {
      IdxImageWriter.write(images, idx);
      System.out.println("wrote " + images.size(0) + " images to " + idx);
    }
    if (grid != null) {
      ImageGrid.write(images.get(NDArrayIndex.interval(0, Math.min(images.size(0), 100))), false, grid);
      System.out.println("wrote grid to " + grid);
    }
  }
}
