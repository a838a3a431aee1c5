package org.genai4j.gan;

import java.util.Random;
import org.genai4j.common.train.Batch;
import org.genai4j.common.util.Shards;
import org.genai4j.common.util.Threads;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Measurement helper (not a test): the hand-written D + G gradient passes (no optimizer) on 1
 * thread, on 2 threads with one fixed half of the batch each, and on 2 threads taking 4 parts as
 * they come, alternating in rounds, with wall time, process CPU and the calling thread's CPU.
 */
public final class ShardStepProfile {
  public static void main(String[] args) {
    int iters = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    Threads.set(1);
    DcganConfig c = DcganConfig.fashionMnist();
    Dcgan m = new Dcgan(c, 1);
    INDArray images = Nd4j.rand(DataType.FLOAT, 256, 1, 28, 28);
    Batch b = new GanBatches(images, c, 64).next(new Random(1));
    var threads = java.lang.management.ManagementFactory.getThreadMXBean();
    double[][] sum = new double[3][3];
    for (int r = 0; r < rounds; r++) {
      for (int v = 1; v <= 3; v++) {
        int shards = v;
        Shards.setCount(v == 1 ? 1 : 2);
        DcganKernel.setPartsPerThread(v == 3 ? 2 : 1);
        for (int i = 0; i < 2; i++) {
          m.discriminator().computeGradients(b);
          m.generator().computeGradients(b);
        }
        long c0 = GanBench.processCpuNanos();
        long t0 = System.nanoTime();
        long tc0 = threads.getCurrentThreadCpuTime();
        for (int i = 0; i < iters; i++) {
          m.discriminator().computeGradients(b);
          m.generator().computeGradients(b);
        }
        double wall = (System.nanoTime() - t0) / 1e6 / iters;
        double cpu = (GanBench.processCpuNanos() - c0) / 1e6 / iters;
        double own = (threads.getCurrentThreadCpuTime() - tc0) / 1e6 / iters;
        sum[shards - 1][0] += wall;
        sum[shards - 1][1] += cpu;
        sum[shards - 1][2] += own;
        System.out.printf("round %d variant %d: wall %.1f ms, process cpu %.1f ms, caller cpu %.1f ms, load %s%n", r,
            shards, wall, cpu, own, Threads.loadAverage());
      }
    }
    for (int s = 0; s < 3; s++) {
      System.out.printf("mean variant %d (1: 1 thread, 2: 2 halves, 3: 2 threads x 2 parts): wall %.1f, cpu %.1f, caller cpu %.1f%n", s + 1, sum[s][0] / rounds,
          sum[s][1] / rounds, sum[s][2] / rounds);
    }
  }
}
