package org.genai4j.gan;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * The GAN losses on discriminator logits, in the numerically stable form of binary cross-entropy
 * with logits: {@code BCE(l, y) = softplus(l) - y l}, {@code softplus(l) = max(l, 0) + log1p(exp(-|l|))}.
 */
public final class AdversarialLoss {
  private AdversarialLoss() {}

  /**
   * The discriminator's loss: mean BCE of the real logits against {@code realLabel} (1, or less for
   * one-sided label smoothing) plus mean BCE of the generated logits against 0.
   */
  public static SDVariable discriminator(SameDiff sd, SDVariable logitReal, SDVariable logitFake, double realLabel) {
    SDVariable real = softplus(sd, logitReal).sub(logitReal.mul(realLabel)).mean();
    return real.add(softplus(sd, logitFake).mean());
  }

  /** The non-saturating generator loss: mean {@code -log sigmoid(l) = softplus(-l)} of the generated logits. */
  public static SDVariable generator(SameDiff sd, SDVariable logitFake) {
    return softplus(sd, logitFake.neg()).mean();
  }

  /** log(1 + exp(x)) without overflow. */
  public static SDVariable softplus(SameDiff sd, SDVariable x) {
    return sd.nn.relu(x, 0).add(sd.math.log1p(sd.math.exp(sd.math.abs(x).neg())));
  }
}
