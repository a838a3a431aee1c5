package org.genai4j.common.train;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Global gradient-norm clipping, as {@code torch.nn.utils.clip_grad_norm_}. */
public final class GradientClipping {
  private GradientClipping() {}

  /** The L2 norm of all gradients taken together. */
  public static double globalNorm(Map<String, INDArray> gradients) {
    double sumSq = 0;
    for (INDArray g : gradients.values()) {
      double n = g.norm2Number().doubleValue();
      sumSq += n * n;
    }
    return Math.sqrt(sumSq);
  }

  /**
   * Scales all gradients in place so that their global norm is at most {@code maxNorm}; returns
   * the norm before clipping. {@code maxNorm <= 0} disables clipping.
   */
  public static double clipGlobalNorm(Map<String, INDArray> gradients, double maxNorm) {
    double norm = globalNorm(gradients);
    if (maxNorm > 0 && norm > maxNorm) {
      double scale = maxNorm / (norm + 1e-6);
      for (INDArray g : gradients.values()) {
        g.muli(scale);
      }
    }
    return norm;
  }
}
