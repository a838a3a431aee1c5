package org.genai4j.gan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.genai4j.common.util.JsonProblem;

/**
 * The shape and optimization of a DCGAN (Radford et al. 2015), validated on construction.
 *
 * <p>The generator projects the latent vector to a {@code start x start} map with {@code
 * baseFeatures * 2^(stages-1)} channels and doubles the size {@code stages} times with transposed
 * convolutions (kernel 4, stride 2, padding 1), halving the channels; the discriminator mirrors it
 * with strided convolutions and ends in one logit. Image size 28 uses 2 stages from 7x7 (the
 * Fashion-MNIST reference: z 100 -> 7x7x128 -> 64 -> 1), 32 uses 3 from 4x4, 64 uses 4 from 4x4.
 *
 * @param imageSize side of the square images: 28, 32 or 64
 * @param channels 1 (grey) or 3 (RGB)
 * @param latentSize length of the noise vector z (DCGAN: 100)
 * @param baseFeatures feature maps of the discriminator's first and the generator's last hidden
 *     layer (DCGAN: 64)
 * @param learningRate Adam's learning rate for both networks (DCGAN: 2e-4)
 * @param beta1 Adam's beta1 (DCGAN: 0.5)
 * @param beta2 Adam's beta2 (0.999)
 * @param realLabel the discriminator's target for real images: 1.0, or e.g. 0.9 for one-sided label
 *     smoothing (Salimans et al. 2016); generated images always have target 0
 */
public record DcganConfig(
    int imageSize,
    int channels,
    int latentSize,
    int baseFeatures,
    double learningRate,
    double beta1,
    double beta2,
    double realLabel) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public DcganConfig {
    if (imageSize != 28 && imageSize != 32 && imageSize != 64) {
      throw new IllegalArgumentException("DcganConfig.imageSize must be 28, 32 or 64, got " + imageSize);
    }
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("DcganConfig.channels must be 1 (grey) or 3 (RGB), got " + channels);
    }
    if (latentSize < 1 || latentSize > 4096) {
      throw new IllegalArgumentException("DcganConfig.latentSize must be in [1, 4096], got " + latentSize);
    }
    if (baseFeatures < 1 || baseFeatures > 1024) {
      throw new IllegalArgumentException("DcganConfig.baseFeatures must be in [1, 1024], got " + baseFeatures);
    }
    if (!(learningRate > 0) || learningRate > 1) {
      throw new IllegalArgumentException("DcganConfig.learningRate must be in (0, 1], got " + learningRate);
    }
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
      throw new IllegalArgumentException(
          "DcganConfig betas must be in [0, 1), got beta1=" + beta1 + " beta2=" + beta2);
    }
    if (!(realLabel >= 0.5 && realLabel <= 1)) {
      throw new IllegalArgumentException("DcganConfig.realLabel (one-sided label smoothing) must be in [0.5, 1], got "
          + realLabel + " (1 = no smoothing, 0.9 is usual)");
    }
  }

  /** The Fashion-MNIST reference: 28x28 grey, z 100, 64 base feature maps, Adam 2e-4 (0.5, 0.999), no smoothing. */
  public static DcganConfig fashionMnist() {
    return new DcganConfig(28, 1, 100, 64, 2e-4, 0.5, 0.999, 1.0);
  }

  /** Standard DCGAN settings for the given image geometry. */
  public static DcganConfig of(int imageSize, int channels) {
    return new DcganConfig(imageSize, channels, 100, 64, 2e-4, 0.5, 0.999, 1.0);
  }

  public DcganConfig withLatentSize(int z) {
    return new DcganConfig(imageSize, channels, z, baseFeatures, learningRate, beta1, beta2, realLabel);
  }

  public DcganConfig withBaseFeatures(int f) {
    return new DcganConfig(imageSize, channels, latentSize, f, learningRate, beta1, beta2, realLabel);
  }

  public DcganConfig withLabelSmoothing(double realTarget) {
    return new DcganConfig(imageSize, channels, latentSize, baseFeatures, learningRate, beta1, beta2, realTarget);
  }

  public DcganConfig withLearningRate(double lr) {
    return new DcganConfig(imageSize, channels, latentSize, baseFeatures, lr, beta1, beta2, realLabel);
  }

  /** Number of size-doubling stages in the generator (and halving stages in the discriminator). */
  public int stages() {
    return imageSize == 28 ? 2 : imageSize == 32 ? 3 : 4;
  }

  /** Side of the generator's first feature map (7 for 28, 4 for 32 and 64). */
  public int startSize() {
    return imageSize >> stages();
  }

  /** Pixels per image: channels x size x size. */
  public int pixels() {
    return channels * imageSize * imageSize;
  }

  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Parses {@link #toJson()}'s output; a clear error for anything else. */
  public static DcganConfig fromJson(String json) {
    try {
      return JSON.readValue(json, DcganConfig.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a DcganConfig JSON: " + JsonProblem.describe(e), e);
    }
  }
}
