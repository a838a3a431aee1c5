package org.genai4j.common.ops;

import java.util.SplittableRandom;

/**
 * How a new parameter is filled. Each parameter draws from a generator seeded by the model's seed
 * and the parameter's name, so a value does not depend on the order in which a model creates its
 * parameters.
 */
@FunctionalInterface
public interface Init {

  /** Fills {@code values} (row-major, of {@code shape}) from {@code rng}. */
  void fill(float[] values, int[] shape, SplittableRandom rng);

  /** Normal with mean 0 and standard deviation {@code std} (GPT-2: 0.02). */
  static Init normal(double std) {
    return (v, shape, rng) -> {
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (rng.nextGaussian() * std);
      }
    };
  }

  /** Normal with mean {@code mean} and standard deviation {@code std} (DCGAN's batch-norm gains: N(1, 0.02)). */
  static Init normal(double mean, double std) {
    return (v, shape, rng) -> {
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (mean + rng.nextGaussian() * std);
      }
    };
  }

  /** Uniform on {@code [-bound, bound]}. */
  static Init uniform(double bound) {
    return (v, shape, rng) -> {
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
      }
    };
  }

  /**
   * PyTorch's default for linear and convolution layers, weights and biases alike: uniform on
   * {@code +-1/sqrt(fanIn)}.
   */
  static Init fanInUniform(int fanIn) {
    return uniform(1.0 / Math.sqrt(fanIn));
  }

  /** Every value {@code c}. */
  static Init constant(float c) {
    return (v, shape, rng) -> java.util.Arrays.fill(v, c);
  }

  static Init zeros() {
    return constant(0f);
  }

  static Init ones() {
    return constant(1f);
  }
}
