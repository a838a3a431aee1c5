package org.genai4j.gan;

import java.util.Random;
import org.genai4j.common.train.Batch;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Measurement helper (not a test): runs the hand-written D and G steps in a loop, for a profiler (JFR). */
public final class FastStepProfile {
  public static void main(String[] args) {
    int iters = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    DcganConfig c = DcganConfig.fashionMnist();
    Dcgan m = new Dcgan(c, 1);
    INDArray images = Nd4j.rand(DataType.FLOAT, 256, 1, 28, 28);
    Batch b = new GanBatches(images, c, 64).next(new Random(1));
    for (int i = 0; i < 3; i++) {
      m.discriminator().computeGradients(b);
      m.generator().computeGradients(b);
    }
    double[] k0 = m.kernel().convAndStepMillis();
    long c0 = GanBench.processCpuNanos();
    long t0 = System.nanoTime();
    for (int i = 0; i < iters; i++) {
      m.discriminator().computeGradients(b);
      m.generator().computeGradients(b);
    }
    double[] k1 = m.kernel().convAndStepMillis();
    System.out.printf("per D+G: wall %.1f ms, cpu %.1f ms, conv %.1f ms, kernel %.1f ms, load %s%n",
        (System.nanoTime() - t0) / 1e6 / iters, (GanBench.processCpuNanos() - c0) / 1e6 / iters,
        (k1[0] - k0[0]) / iters, (k1[1] - k0[1]) / iters, org.genai4j.common.util.Threads.loadAverage());
  }
}
