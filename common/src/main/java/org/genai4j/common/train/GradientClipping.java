package org.genai4j.common.train;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Global gradient-norm clipping, as {@code torch.nn.utils.clip_grad_norm_}. */
public final class GradientClipping {
  private GradientClipping() {}

  /**
   * The L2 norm of all gradients taken together; dense FLOAT/DOUBLE arrays are summed in one Java
   * pass (accumulated in double), others by ND4J.
   */
  public static double globalNorm(Map<String, INDArray> gradients) {
    return globalNorm(gradients, org.genai4j.common.util.Parallel.serial());
  }

  /** As {@link #globalNorm(Map)}, the arrays spread over {@code parallel}'s threads (summed in order). */
  public static double globalNorm(Map<String, INDArray> gradients, org.genai4j.common.util.Parallel parallel) {
    INDArray[] all = gradients.values().toArray(new INDArray[0]);
    long[] sizes = java.util.Arrays.stream(all).mapToLong(INDArray::length).toArray();
    double[] parts = new double[all.length];
    // Summed in order below, so the norm does not depend on the threads.
    parallel.forEachBalanced(sizes, i -> parts[i] = sumOfSquares(all[i]));
    double sumSq = 0;
    for (double p : parts) {
      sumSq += p;
    }
    return Math.sqrt(sumSq);
  }

  /** Sum of squares of all elements of all arrays, added in order. */
  static double sumOfSquares(java.util.Collection<INDArray> gradients) {
    double sum = 0;
    for (INDArray g : gradients) {
      sum += sumOfSquares(g);
    }
    return sum;
  }

  static double sumOfSquares(INDArray g) {
    if (HostArrays.isDense(g)) {
      return HostArrays.sumOfSquares(g);
    }
    double n = g.norm2Number().doubleValue();
    return n * n;
  }

  /**
   * The factor that brings gradients of global norm {@code norm} to at most {@code maxNorm}: 1
   * when they are within it or {@code maxNorm <= 0} (clipping disabled).
   */
  public static double clipScale(double norm, double maxNorm) {
    return maxNorm > 0 && norm > maxNorm ? maxNorm / (norm + 1e-6) : 1.0;
  }

  /**
   * Scales all gradients in place so that their global norm is at most {@code maxNorm}; returns
   * the norm before clipping. {@code maxNorm <= 0} disables clipping.
   */
  public static double clipGlobalNorm(Map<String, INDArray> gradients, double maxNorm) {
    double norm = globalNorm(gradients);
    double scale = clipScale(norm, maxNorm);
    if (scale != 1.0) {
      for (INDArray g : gradients.values()) {
        g.muli(scale);
      }
    }
    return norm;
  }
}
