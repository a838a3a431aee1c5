package org.genai4j.gan;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;
import org.genai4j.common.train.LrSchedule;
import org.genai4j.common.train.OptimizerConfig;
import org.genai4j.common.train.Trainer;
import org.genai4j.common.train.TrainerConfig;
import org.genai4j.common.util.Shards;
import org.genai4j.common.util.Threads;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Measurement helper (not a test): CPU per thread of the process over training steps, for 1 and 2 shards. */
public final class ThreadCpuProfile {
  public static void main(String[] args) {
    Threads.set(1);
    int steps = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    DcganConfig c = DcganConfig.fashionMnist();
    INDArray images = Nd4j.rand(DataType.FLOAT, 256, 1, 28, 28);
    GanBatches source = new GanBatches(images, c, 64);
    OptimizerConfig adam = OptimizerConfig.adam(LrSchedule.constant(c.learningRate()), c.beta1(), c.beta2());
    ThreadMXBean t = ManagementFactory.getThreadMXBean();
    for (int round = 0; round < 2; round++) {
      for (int shards : new int[] {1, 2}) {
        Shards.setCount(shards);
        Dcgan m = new Dcgan(c, 1);
        new Trainer(m, adam, TrainerConfig.of(3, 3).withLogEvery(3)).fit(source);
        Map<Long, Long> before = new HashMap<>();
        for (long id : t.getAllThreadIds()) {
          before.put(id, t.getThreadCpuTime(id));
        }
        long p0 = GanBench.processCpuNanos();
        long w0 = System.nanoTime();
        new Trainer(m, adam, TrainerConfig.of(steps, 4).withLogEvery(steps)).fit(source);
        double wall = (System.nanoTime() - w0) / 1e6 / steps;
        double proc = (GanBench.processCpuNanos() - p0) / 1e6 / steps;
        StringBuilder sb = new StringBuilder();
        double threadsTotal = 0;
        for (long id : t.getAllThreadIds()) {
          long now = t.getThreadCpuTime(id);
          long was = before.getOrDefault(id, 0L);
          double ms = (now - was) / 1e6 / steps;
          threadsTotal += ms;
          if (ms > 0.5) {
            var info = t.getThreadInfo(id);
            sb.append(String.format(" %s=%.1f", info == null ? id : info.getThreadName(), ms));
          }
        }
        System.out.printf("shards %d: wall %.1f ms/step, process CPU %.1f, Java threads %.1f:%s%n", shards, wall, proc,
            threadsTotal, sb);
      }
    }
    Shards.setCount(0);
  }
}
