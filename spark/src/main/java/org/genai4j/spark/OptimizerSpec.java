package org.genai4j.spark;

import java.io.Serializable;
import org.genai4j.common.train.OptimizerConfig;

/**
 * A group's optimizer for one block of local steps, as it travels to executors: the algorithm and
 * its constants, and the learning rate of each step of the block (the driver's schedule evaluated,
 * as a schedule is code that does not travel).
 *
 * @param firstStep the block's first step
 * @param lrs the learning rate of each step of the block
 */
record OptimizerSpec(String kind, double beta1, double beta2, double epsilon, double weightDecay, long firstStep,
    double[] lrs) implements Serializable {

  static OptimizerSpec of(OptimizerConfig c, long firstStep, int steps) {
    double[] lrs = new double[steps];
    for (int i = 0; i < steps; i++) {
      lrs[i] = c.schedule().lr(firstStep + i);
    }
    return new OptimizerSpec(c.kind().name(), c.beta1(), c.beta2(), c.epsilon(), c.weightDecay(), firstStep, lrs);
  }

  /** The configuration on the executor, its schedule the block's learning rates. */
  OptimizerConfig toConfig() {
    double[] rates = lrs;
    long first = firstStep;
    return new OptimizerConfig(OptimizerConfig.Kind.valueOf(kind),
        step -> rates[(int) Math.min(Math.max(0, step - first), rates.length - 1)], beta1, beta2, epsilon,
        weightDecay);
  }
}
