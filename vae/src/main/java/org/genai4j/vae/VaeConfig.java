package org.genai4j.vae;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.genai4j.common.util.JsonProblem;

/**
 * The shape of a variational autoencoder.
 *
 * @param arch {@link Arch#MLP}: fully connected encoder and mirrored decoder with {@code hidden}
 *     ReLU layers; {@link Arch#CONV}: one stride-2 4x4 convolution per entry of {@code hidden}
 *     (its channel count), mirrored by stride-2 transposed convolutions in the decoder
 * @param channels image channels
 * @param height image height in pixels
 * @param width image width in pixels
 * @param hidden hidden layer widths (MLP) or convolution channel counts (CONV), encoder order
 * @param latent size of the latent code z
 * @param likelihood the decoder's distribution over pixels
 * @param gaussianStd the fixed standard deviation of {@link Likelihood#GAUSSIAN_FIXED}; must be 0
 *     for the other likelihoods
 * @param beta weight of the KL term (1 gives the ELBO; other values a beta-VAE)
 * @param klWarmupSteps optimizer steps over which the KL weight rises linearly from 0 to beta (0:
 *     no warm-up)
 */
public record VaeConfig(
    Arch arch,
    int channels,
    int height,
    int width,
    List<Integer> hidden,
    int latent,
    Likelihood likelihood,
    double gaussianStd,
    double beta,
    long klWarmupSteps) {

  /** Encoder/decoder architecture. */
  public enum Arch { MLP, CONV }

  /** The decoder's likelihood p(x|z). */
  public enum Likelihood {
    /** Pixels in [0,1] as Bernoulli probabilities (decoder outputs logits). */
    BERNOULLI,
    /** Gaussian with the decoder's mean and a fixed standard deviation {@code gaussianStd}. */
    GAUSSIAN_FIXED,
    /** Gaussian whose per-pixel log-variance is a second decoder output. */
    GAUSSIAN_LEARNED
  }

  public VaeConfig {
    if (arch == null) throw new IllegalArgumentException("VaeConfig.arch is required (MLP or CONV)");
    if (likelihood == null) {
      throw new IllegalArgumentException("VaeConfig.likelihood is required (BERNOULLI, GAUSSIAN_FIXED or GAUSSIAN_LEARNED)");
    }
    if (channels < 1 || height < 1 || width < 1) {
      throw new IllegalArgumentException("VaeConfig input shape must be positive, got channels=" + channels
          + " height=" + height + " width=" + width);
    }
    if (hidden == null) throw new IllegalArgumentException("VaeConfig.hidden is required (may be empty for MLP)");
    hidden = List.copyOf(hidden);
    for (int h : hidden) {
      if (h < 1) throw new IllegalArgumentException("VaeConfig.hidden sizes must be >= 1, got " + hidden);
    }
    if (latent < 1) throw new IllegalArgumentException("VaeConfig.latent must be >= 1, got " + latent);
    if (arch == Arch.CONV) {
      if (hidden.isEmpty()) {
        throw new IllegalArgumentException("VaeConfig.hidden must list at least one convolution channel count for CONV");
      }
      int f = 1 << hidden.size();
      if (height % f != 0 || width % f != 0) {
        throw new IllegalArgumentException("CONV with " + hidden.size() + " stride-2 layers needs height and width"
            + " divisible by " + f + ", got " + height + "x" + width + " (use fewer entries in hidden)");
      }
    }
    if (likelihood == Likelihood.GAUSSIAN_FIXED) {
      if (!(gaussianStd > 0) || !Double.isFinite(gaussianStd)) {
        throw new IllegalArgumentException("GAUSSIAN_FIXED needs gaussianStd > 0, got " + gaussianStd);
      }
    } else if (gaussianStd != 0) {
      throw new IllegalArgumentException("gaussianStd is only used with GAUSSIAN_FIXED; " + likelihood
          + " needs gaussianStd=0, got " + gaussianStd);
    }
    if (!(beta >= 0) || !Double.isFinite(beta)) {
      throw new IllegalArgumentException("VaeConfig.beta must be a finite number >= 0, got " + beta);
    }
    if (klWarmupSteps < 0) {
      throw new IllegalArgumentException("VaeConfig.klWarmupSteps must be >= 0, got " + klWarmupSteps);
    }
    if (klWarmupSteps > 0 && beta == 0) {
      throw new IllegalArgumentException("KL warm-up (klWarmupSteps=" + klWarmupSteps + ") has no effect with beta=0");
    }
  }

  /** The reference model: Bernoulli MLP VAE, {@code D-hidden-latent-hidden-D}, beta 1. */
  public static VaeConfig mlp(int channels, int height, int width, List<Integer> hidden, int latent) {
    return new VaeConfig(Arch.MLP, channels, height, width, hidden, latent, Likelihood.BERNOULLI, 0, 1, 0);
  }

  /** A Bernoulli convolutional VAE with the given channel counts per stride-2 layer. */
  public static VaeConfig conv(int channels, int height, int width, List<Integer> convChannels, int latent) {
    return new VaeConfig(Arch.CONV, channels, height, width, convChannels, latent, Likelihood.BERNOULLI, 0, 1, 0);
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  /** This configuration as JSON (a run's {@code config.json}, a checkpoint's configuration). */
  public String toJson() {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize " + this, e);
    }
  }

  /** Reads {@link #toJson()}'s form; a one-line error naming {@code source} when it is not a VAE's configuration. */
  public static VaeConfig fromJson(String json, String source) {
    try {
      return JSON.readValue(json, VaeConfig.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(source + " does not hold a VAE configuration: " + JsonProblem.describe(e), e);
    } catch (RuntimeException e) {
      String why = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
      throw new IllegalArgumentException(source + " does not hold a VAE configuration: " + why, e);
    }
  }

  /** A short description: {@code MLP 784-512-20-512-784, BERNOULLI} or {@code conv 1x28x28 channels [32, 64] latent 20, BERNOULLI}. */
  public String describe() {
    String shape;
    if (arch == Arch.MLP) {
      List<Integer> widths = new ArrayList<>();
      widths.add(inputSize());
      widths.addAll(hidden);
      widths.add(latent);
      List<Integer> back = new ArrayList<>(hidden);
      Collections.reverse(back);
      widths.addAll(back);
      widths.add(inputSize());
      shape = "MLP " + String.join("-", widths.stream().map(String::valueOf).toList());
    } else {
      shape = "conv " + channels + "x" + height + "x" + width + " channels " + hidden + " latent " + latent;
    }
    return shape + ", " + likelihood + (beta != 1 ? ", beta " + beta : "")
        + (klWarmupSteps > 0 ? ", KL warm-up " + klWarmupSteps + " steps" : "");
  }

  /** Pixels per image. */
  public int inputSize() {
    return channels * height * width;
  }

  public VaeConfig withLikelihood(Likelihood l, double std) {
    return new VaeConfig(arch, channels, height, width, hidden, latent, l, std, beta, klWarmupSteps);
  }

  public VaeConfig withBeta(double b, long warmupSteps) {
    return new VaeConfig(arch, channels, height, width, hidden, latent, likelihood, gaussianStd, b, warmupSteps);
  }

  /** The KL weight at optimizer step {@code step} (0-based): linear warm-up to beta. */
  public double klWeight(long step) {
    if (klWarmupSteps <= 0) {
      return beta;
    }
    return beta * Math.min(1.0, (double) (step + 1) / klWarmupSteps);
  }
}
