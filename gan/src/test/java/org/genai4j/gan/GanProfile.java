package org.genai4j.gan;

import java.io.File;
import java.util.Random;
import org.genai4j.common.train.Batch;
import org.nd4j.autodiff.listeners.profiler.ProfilingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Measurement helper (not a test): writes SameDiff op traces of the D and G steps to /tmp. */
public final class GanProfile {
  public static void main(String[] args) {
    int iters = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    DcganConfig c = DcganConfig.fashionMnist();
    Dcgan m = new Dcgan(c, 1);
    INDArray images = Nd4j.rand(DataType.FLOAT, 256, 1, 28, 28);
    Batch b = new GanBatches(images, c, 64).next(new Random(1));
    m.discriminator().computeGradients(b);
    m.generator().computeGradients(b);
    m.graphs().get(0).setListeners(ProfilingListener.builder(new File("/tmp/gan-prof-D.json")).recordAll().build());
    m.graphs().get(1).setListeners(ProfilingListener.builder(new File("/tmp/gan-prof-G.json")).recordAll().build());
    for (int i = 0; i < iters; i++) {
      m.discriminator().computeGradients(b);
      m.generator().computeGradients(b);
    }
    m.graphs().get(0).setListeners();
    m.graphs().get(1).setListeners();
    System.out.println("done");
  }
}
