package org.genai4j.gan;

import java.util.List;
import org.genai4j.common.nn.ConvLayers;
import org.genai4j.common.nn.Layers;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Builds the DCGAN generator and discriminator into a SameDiff graph. Variables are named {@code
 * G/...} and {@code D/...}; building a network twice in one graph reuses its variables.
 */
final class DcganNetworks {
  private DcganNetworks() {}

  /** A training-mode batch norm's batch statistics, and the values per channel they average over. */
  record BnStats(String layer, SDVariable mean, SDVariable var, long spatial) {}

  static final double LEAKY_SLOPE = 0.2;

  /**
   * z {@code [N, latent]} -> image {@code [N, channels, size, size]} in [-1, 1]: linear projection
   * to {@code start x start x (base * 2^(stages-1))}, batch norm, ReLU, then transposed
   * convolutions that double the size (batch norm and ReLU between them, tanh at the end).
   */
  static SDVariable generator(SameDiff sd, DcganConfig c, SDVariable z, boolean training, List<BnStats> stats) {
    int s = c.startSize();
    long ch = (long) c.baseFeatures() << (c.stages() - 1);
    SDVariable h = linear(sd, "G/project", z, c.latentSize(), ch * s * s, false)
        .reshape(-1, ch, s, s);
    h = relu(sd, bn(sd, "G/bn0", h, ch, training, s, stats));
    for (int i = 1; i < c.stages(); i++) {
      s *= 2;
      h = ConvLayers.deconv2d(sd, "G/up" + i, h, ch, ch / 2, 4, 2, 1, false, ConvLayers.DCGAN_STD);
      ch /= 2;
      h = relu(sd, bn(sd, "G/bn" + i, h, ch, training, s, stats));
    }
    h = ConvLayers.deconv2d(sd, "G/up" + c.stages(), h, ch, c.channels(), 4, 2, 1, true, ConvLayers.DCGAN_STD);
    return sd.math.tanh(h);
  }

  /**
   * image {@code [N, channels, size, size]} -> logit {@code [N, 1]}: strided convolutions that halve
   * the size and double the channels, LeakyReLU(0.2) after each, batch norm on all but the first,
   * then a linear layer over the flattened last feature map.
   */
  static SDVariable discriminator(SameDiff sd, DcganConfig c, SDVariable x, boolean training, List<BnStats> stats) {
    int s = c.imageSize() / 2;
    long ch = c.baseFeatures();
    SDVariable h = ConvLayers.conv2d(sd, "D/down1", x, c.channels(), ch, 4, 2, 1, true, ConvLayers.DCGAN_STD);
    h = sd.nn.leakyRelu(h, LEAKY_SLOPE);
    for (int i = 2; i <= c.stages(); i++) {
      s /= 2;
      h = ConvLayers.conv2d(sd, "D/down" + i, h, ch, ch * 2, 4, 2, 1, false, ConvLayers.DCGAN_STD);
      ch *= 2;
      h = sd.nn.leakyRelu(bn(sd, "D/bn" + i, h, ch, training, s, stats), LEAKY_SLOPE);
    }
    long flat = ch * s * s;
    return linear(sd, "D/logit", h.reshape(-1, flat), flat, 1, true);
  }

  private static SDVariable bn(SameDiff sd, String name, SDVariable x, long ch, boolean training, int size,
      List<BnStats> stats) {
    ConvLayers.BatchNorm b = ConvLayers.batchNorm(sd, name, x, ch, 4, training);
    if (training && stats != null) {
      stats.add(new BnStats(name, b.batchMean(), b.batchVar(), (long) size * size));
    }
    return b.output();
  }

  /** {@code x @ W (+ b)} with W from N(0, 0.02^2), shared when the graph already has it. */
  private static SDVariable linear(SameDiff sd, String name, SDVariable x, long in, long out, boolean bias) {
    return Layers.linear(sd, name, x, in, out, bias, ConvLayers.DCGAN_STD);
  }

  private static SDVariable relu(SameDiff sd, SDVariable x) {
    return sd.nn.relu(x, 0);
  }
}
