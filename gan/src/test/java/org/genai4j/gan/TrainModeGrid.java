package org.genai4j.gan;

import java.nio.file.Path;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Scratch: the fixed-noise grid with batch statistics (train mode) vs running statistics. */
public final class TrainModeGrid {
  public static void main(String[] a) {
    Dcgan m = Dcgan.load(Path.of(a[0]));
    INDArray z = Dcgan.noise(64, 100, 42L ^ 0x6A11DL);
    INDArray train = m.graphs().get(1).output(Map.of(Dcgan.Z, z), "fake").get("fake").add(1).div(2);
    org.genai4j.common.eval.ImageGrid.write(train, 8, 8, false, 2, 1, Path.of(a[1], "grid-trainmode.png"));
    org.genai4j.common.eval.ImageGrid.write(m.generateFrom(z), 8, 8, false, 2, 1, Path.of(a[1], "grid-runningstats.png"));
  }
}
