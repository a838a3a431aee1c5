package org.genai4j.common.train;

/**
 * How one parameter group is optimized. {@code ADAMW} is Adam with decoupled weight decay
 * (Loshchilov and Hutter): {@code p -= lr * weightDecay * p} before the Adam update. SGD uses
 * {@code beta1} as its momentum (0 for plain SGD).
 */
public record OptimizerConfig(
    Kind kind, LrSchedule schedule, double beta1, double beta2, double epsilon, double weightDecay) {

  /** The optimizer algorithms the trainer supports. */
  public enum Kind { ADAM, ADAMW, SGD }

  public OptimizerConfig {
    if (kind == null || schedule == null) {
      throw new IllegalArgumentException("optimizer kind and schedule are required");
    }
    if (beta1 < 0 || beta1 >= 1 || beta2 < 0 || beta2 >= 1) {
      throw new IllegalArgumentException(
          "betas must be in [0, 1), got beta1=" + beta1 + " beta2=" + beta2);
    }
    if (epsilon <= 0) {
      throw new IllegalArgumentException("epsilon must be > 0, got " + epsilon);
    }
    if (weightDecay < 0) {
      throw new IllegalArgumentException("weightDecay must be >= 0, got " + weightDecay);
    }
  }

  public static OptimizerConfig adam(LrSchedule schedule, double beta1, double beta2) {
    return new OptimizerConfig(Kind.ADAM, schedule, beta1, beta2, 1e-8, 0);
  }

  public static OptimizerConfig adamW(LrSchedule schedule, double beta1, double beta2, double wd) {
    return new OptimizerConfig(Kind.ADAMW, schedule, beta1, beta2, 1e-8, wd);
  }

  public static OptimizerConfig sgd(LrSchedule schedule, double momentum) {
    return new OptimizerConfig(Kind.SGD, schedule, momentum, 0, 1e-8, 0);
  }
}
