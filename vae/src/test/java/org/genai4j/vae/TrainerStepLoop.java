package org.genai4j.vae;

import java.util.List;
import org.genai4j.common.train.LrSchedule;
import org.genai4j.common.train.OptimizerConfig;
import org.genai4j.common.train.Trainer;
import org.genai4j.common.train.TrainerConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Measurement helper for a CPU profiler (JFR): N full trainer steps of the hand-written MLP step, 1 thread. */
public final class TrainerStepLoop {
  public static void main(String[] args) {
    int steps = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    org.genai4j.common.util.Threads.set(1);
    Vae vae = Vae.create(VaeConfig.mlp(1, 28, 28, List.of(512), 20), 1);
    INDArray data = Nd4j.rand(DataType.FLOAT, 128 * 16, 784).gt(0.5).castTo(DataType.FLOAT);
    Trainer tr = new Trainer(vae, OptimizerConfig.adam(LrSchedule.constant(1e-3), 0.9, 0.999),
        TrainerConfig.of(Math.min(50, steps / 4), 100));
    var mx = java.lang.management.ManagementFactory.getThreadMXBean();
    EpochBatches batches = new EpochBatches(data, 128, 3);
    tr.fit(batches);
    Trainer tr2 = new Trainer(vae, OptimizerConfig.adam(LrSchedule.constant(1e-3), 0.9, 0.999),
        TrainerConfig.of(steps, 100));
    long t0 = System.nanoTime();
    long c0 = mx.getCurrentThreadCpuTime();
    tr2.fit(batches);
    System.out.printf("%.2f ms/step wall, %.2f ms/step CPU of the training thread%n",
        (System.nanoTime() - t0) / 1e6 / steps, (mx.getCurrentThreadCpuTime() - c0) / 1e6 / steps);
  }
}
