package org.genai4j.gan;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.genai4j.common.util.Threads;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Measurement helper (not a test): the current hand-written D+G gradient pass against the frozen
 * {@link BaselineDcganKernel}, on the same parameters and batch, alternating in many rounds so both
 * see the same machine load. Prints thread-CPU ms per D+G pass and the ratio.
 */
public final class KernelAbBench {
  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int steps = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    DcganConfig c = DcganConfig.fashionMnist();
    Dcgan m = new Dcgan(c, 1);
    DcganKernel now = m.kernel();
    BaselineDcganKernel old = new BaselineDcganKernel(c, m.discriminator().parameters(), m.generator().parameters());
    INDArray real = Nd4j.rand(DataType.FLOAT, 64, 1, 28, 28).muli(2).subi(1);
    // Two noise batches taken in turn, so each D step recomputes G's pass (as after a G update).
    INDArray[] zs = {Nd4j.randn(DataType.FLOAT, 64, c.latentSize()), Nd4j.randn(DataType.FLOAT, 64, c.latentSize())};
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    double[] cpu = new double[2];
    double[] wall = new double[2];
    double[][] perRound = new double[2][rounds];
    for (int r = -1; r < rounds; r++) {
      for (int k = 0; k < 2; k++) {
        long c0 = threads.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        for (int s = 0; s < steps; s++) {
          INDArray z = zs[s % 2];
          if (k == 0) {
            old.discriminatorStep(real, z);
            old.generatorStep(z);
          } else {
            now.discriminatorStep(real, z);
            now.generatorStep(z);
          }
        }
        if (r >= 0) { // round -1 warms up
          cpu[k] += (threads.getCurrentThreadCpuTime() - c0) / 1e6;
          perRound[k][r] = (threads.getCurrentThreadCpuTime() - c0) / 1e6 / steps;
          wall[k] += (System.nanoTime() - t0) / 1e6;
        }
      }
    }
    int n = rounds * steps;
    System.out.printf("D+G gradient pass, batch 64, %d rounds x %d: baseline cpu %.1f ms wall %.1f ms | now cpu %.1f ms"
        + " wall %.1f ms | now/baseline cpu %.3f wall %.3f | %s%n", rounds, steps, cpu[0] / n, wall[0] / n, cpu[1] / n,
        wall[1] / n, cpu[1] / cpu[0], wall[1] / wall[0], Threads.machine());
    // Medians resist the load spikes of a shared machine better than means.
    double[] ratios = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      ratios[r] = perRound[1][r] / perRound[0][r];
    }
    System.out.printf("medians: baseline cpu %.1f ms, now cpu %.1f ms, per-round now/baseline cpu %.3f%n",
        median(perRound[0]), median(perRound[1]), median(ratios));
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    java.util.Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }
}
