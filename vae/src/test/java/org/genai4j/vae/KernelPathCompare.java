package org.genai4j.vae;

import java.util.List;
import org.genai4j.common.train.LrSchedule;
import org.genai4j.common.train.OptimizerConfig;
import org.genai4j.common.train.Trainer;
import org.genai4j.common.train.TrainerConfig;
import org.genai4j.common.util.Threads;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Measurement helper: full trainer steps (MLP 784-512-20-512-784, batch 128, Adam, 1 thread) of
 * the FLOAT kernel's two paths (plain ND4J ops vs direct sgemm + Java loops), in interleaved
 * rounds in one JVM, so their ratio holds on a loaded machine. Args: steps per round, rounds.
 */
public final class KernelPathCompare {
  public static void main(String[] args) {
    int steps = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Threads.set(1);
    Vae[] vaes = new Vae[2];
    EpochBatches[] batches = new EpochBatches[2];
    INDArray data = Nd4j.rand(DataType.FLOAT, 128 * 16, 784).gt(0.5).castTo(DataType.FLOAT);
    for (int p = 0; p < 2; p++) {
      System.setProperty(MlpVaeKernel.ND4J_PATH_PROPERTY, Boolean.toString(p == 0));
      vaes[p] = Vae.create(VaeConfig.mlp(1, 28, 28, List.of(512), 20), 1);
      batches[p] = new EpochBatches(data, 128, 3);
      run(vaes[p], batches[p], 50);
    }
    System.out.println("machine: " + Threads.machine());
    for (int r = 0; r < rounds; r++) {
      for (int p = 0; p < 2; p++) {
        double[] ms = run(vaes[p], batches[p], steps);
        System.out.printf("round %d %-22s %6.2f ms/step wall (%5.0f images/s), %6.2f ms/step CPU%n", r,
            p == 0 ? "ND4J ops" : "direct sgemm + loops", ms[0], 128000 / ms[0], ms[1]);
      }
    }
    System.out.println("(load average after: " + Threads.loadAverage() + ")");
  }

  private static double[] run(Vae vae, EpochBatches batches, int steps) {
    var mx = java.lang.management.ManagementFactory.getThreadMXBean();
    Trainer tr = new Trainer(vae, OptimizerConfig.adam(LrSchedule.constant(1e-3), 0.9, 0.999),
        TrainerConfig.of(steps, 1000));
    long t0 = System.nanoTime();
    long c0 = mx.getCurrentThreadCpuTime();
    tr.fit(batches);
    return new double[] {(System.nanoTime() - t0) / 1e6 / steps, (mx.getCurrentThreadCpuTime() - c0) / 1e6 / steps};
  }
}
