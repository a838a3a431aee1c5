package org.genai4j.vae;

import java.util.ArrayList;
import java.util.List;
import org.genai4j.common.nn.Init;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.DeConv2DConfig;

/**
 * Builds a VAE's SameDiff graph. Placeholders: {@code x} [N, D] (flattened images), {@code eps}
 * [N, L] (standard normal noise of the reparameterization), {@code klWeight} (scalar) and {@code
 * zIn} [M, L] (latent codes to decode, for sampling). Outputs are the names in this class.
 *
 * <p>All per-image quantities are sums over pixels or latent dimensions, in nats.
 */
final class VaeGraph {

  static final String X = "x";
  static final String EPS = "eps";
  /** Scalar 1/N for the batch of N images. */
  static final String INV_N = "invN";
  /** Scalar klWeight / (2N). */
  static final String KL_COEF = "klCoef";
  static final String Z_IN = "zIn";

  static final String MU = "mu";
  static final String LOGVAR = "logvar";
  static final String Z = "z";
  /** Per image: reconstruction negative log-likelihood -log p(x|z). */
  static final String RECON = "recon";
  /** Per image: KL(q(z|x) || N(0, I)), analytic. */
  static final String KL = "kl";
  /** Per image: reconstruction NLL + KL (beta 1), the negative ELBO. */
  static final String NEG_ELBO = "negElbo";
  /** Per image: log p(x|z) + log p(z) - log q(z|x) for the drawn z, the log importance weight. */
  static final String LOG_W = "logw";
  /** Sum over the batch of the reconstruction NLL. */
  static final String RECON_SUM = "reconSum";
  /** Sum over the batch and latent dimensions of mu^2 + sigma^2 - log sigma^2 (KL = (that - N*L)/2). */
  static final String KL_TERM_SUM = "klTermSum";
  static final String LOSS = "loss";
  /** Pixel means of p(x|zIn) [M, D]: sigmoid of the logits, or the Gaussian mean. */
  static final String SAMPLE_MEAN = "sampleMean";

  private final VaeConfig config;
  private final SameDiff sd;
  private final DataType dtype;
  private final List<String> paramNames = new ArrayList<>();
  /** Decoder weights, created on the first decode and reused by the second (zIn) decode. */
  private final List<SDVariable> decoderParams = new ArrayList<>();
  private int decoderParamCursor;

  private VaeGraph(VaeConfig config, DataType dtype) {
    this.config = config;
    this.dtype = dtype;
    this.sd = SameDiff.create();
  }

  /** The graph and its trainable variable names; weights drawn from ND4J's current random state. */
  record Built(SameDiff sd, List<String> paramNames) {}

  static Built build(VaeConfig config, DataType dtype) {
    VaeGraph g = new VaeGraph(config, dtype);
    g.define();
    return new Built(g.sd, List.copyOf(g.paramNames));
  }

  private void define() {
    long d = config.inputSize();
    long l = config.latent();
    SDVariable x = sd.placeHolder(X, dtype, -1, d);
    SDVariable eps = sd.placeHolder(EPS, dtype, -1, l);
    SDVariable invN = sd.placeHolder(INV_N, dtype);
    SDVariable klCoef = sd.placeHolder(KL_COEF, dtype);
    SDVariable zIn = sd.placeHolder(Z_IN, dtype, -1, l);

    // Few, large ops: SameDiff's per-op bookkeeping, not the arithmetic, bounds the step time.
    SDVariable h = config.arch() == VaeConfig.Arch.MLP ? mlpEncoder(x) : convEncoder(x);
    long hSize = encoderWidth();
    SDVariable mu = linear("enc/mu", h, hSize, l).rename(MU);
    SDVariable logvar = linear("enc/logvar", h, hSize, l).rename(LOGVAR);
    SDVariable z = mu.add(sd.math.exp(logvar.mul(0.5)).mul(eps)).rename(Z);

    SDVariable[] out = decode(z);
    SDVariable recon = perImageNll(x, out).rename(RECON);
    // KL(N(mu, sigma^2) || N(0, 1)) = 1/2 sum_j (mu_j^2 + sigma_j^2 - log sigma_j^2 - 1).
    SDVariable klTerms = sd.math.square(mu).add(sd.math.exp(logvar)).sub(logvar);
    SDVariable kl = klTerms.sum(1).mul(0.5).sub(0.5 * l).rename(KL);
    sd.math.add(NEG_ELBO, recon, kl);
    // log w = log p(x|z) + log p(z) - log q(z|x); the 2*pi terms of p(z) and q(z|x) cancel.
    SDVariable logw = recon.neg()
        .sub(z.mul(z).sum(1).mul(0.5))
        .add(logvar.sum(1).mul(0.5))
        .add(eps.mul(eps).sum(1).mul(0.5));
    logw.rename(LOG_W);

    // Training objective up to a constant: reconSum/N + klCoef * sum(klTerms), klCoef = klWeight/(2N);
    // VaeGroup adds the constant -klWeight*L/2 to the reported loss.
    SDVariable reconSum = recon.sum().rename(RECON_SUM);
    SDVariable klTermSum = klTerms.sum().rename(KL_TERM_SUM);
    reconSum.mul(invN).add(klTermSum.mul(klCoef)).rename(LOSS);

    decoderParamCursor = 0;
    SDVariable[] sampled = decode(zIn);
    SDVariable mean = config.likelihood() == VaeConfig.Likelihood.BERNOULLI
        ? sd.nn.sigmoid(sampled[0]) : sampled[0];
    mean.rename(SAMPLE_MEAN);
    // Loss ops mark themselves as losses when created; only the objective is one.
    sd.setLossVariables(LOSS);
  }

  private long encoderWidth() {
    if (config.arch() == VaeConfig.Arch.MLP) {
      return config.hidden().isEmpty() ? config.inputSize() : config.hidden().get(config.hidden().size() - 1);
    }
    int f = 1 << config.hidden().size();
    return (long) config.hidden().get(config.hidden().size() - 1) * (config.height() / f) * (config.width() / f);
  }

  private SDVariable mlpEncoder(SDVariable x) {
    SDVariable h = x;
    long in = config.inputSize();
    for (int i = 0; i < config.hidden().size(); i++) {
      long out = config.hidden().get(i);
      h = sd.nn.relu(linear("enc/" + i, h, in, out), 0);
      in = out;
    }
    return h;
  }

  private SDVariable convEncoder(SDVariable x) {
    SDVariable h = x.reshape(-1, config.channels(), config.height(), config.width());
    long inC = config.channels();
    for (int i = 0; i < config.hidden().size(); i++) {
      long outC = config.hidden().get(i);
      SDVariable w = param("enc/conv" + i + "/w", Init.uniformFanIn(inC * 16, 4, 4, inC, outC));
      SDVariable b = param("enc/conv" + i + "/b", Init.uniformFanIn(inC * 16, outC));
      Conv2DConfig cc = Conv2DConfig.builder().kH(4).kW(4).sH(2).sW(2).pH(1).pW(1).build();
      h = sd.nn.relu(sd.cnn.conv2d(h, w, b, cc), 0);
      inC = outC;
    }
    return h.reshape(-1, encoderWidth());
  }

  /** The decoder's outputs for latent codes z: [logits or mean] or [mean, log-variance], each [N, D]. */
  private SDVariable[] decode(SDVariable z) {
    int outputs = config.likelihood() == VaeConfig.Likelihood.GAUSSIAN_LEARNED ? 2 : 1;
    SDVariable out = config.arch() == VaeConfig.Arch.MLP ? mlpDecoder(z, outputs) : convDecoder(z, outputs);
    long d = config.inputSize();
    if (outputs == 1) {
      return new SDVariable[] {out};
    }
    if (config.arch() == VaeConfig.Arch.MLP) {
      // One linear layer of width 2D: mean in the first half, log-variance in the second.
      return new SDVariable[] {out.get(sdAll(), sdInterval(0, d)), out.get(sdAll(), sdInterval(d, 2 * d))};
    }
    // The last deconvolution has 2C channels: mean channels first, then log-variance channels.
    long c = config.channels();
    SDVariable img = out.reshape(-1, 2 * c, config.height(), config.width());
    SDVariable mean = img.get(sdAll(), sdInterval(0, c), sdAll(), sdAll()).reshape(-1, d);
    SDVariable lv = img.get(sdAll(), sdInterval(c, 2 * c), sdAll(), sdAll()).reshape(-1, d);
    return new SDVariable[] {mean, lv};
  }

  private static org.nd4j.autodiff.samediff.SDIndex sdAll() {
    return org.nd4j.autodiff.samediff.SDIndex.all();
  }

  private static org.nd4j.autodiff.samediff.SDIndex sdInterval(long from, long to) {
    return org.nd4j.autodiff.samediff.SDIndex.interval(from, to);
  }

  private SDVariable mlpDecoder(SDVariable z, int outputs) {
    SDVariable h = z;
    long in = config.latent();
    List<Integer> hidden = config.hidden();
    for (int i = hidden.size() - 1, k = 0; i >= 0; i--, k++) {
      long out = hidden.get(i);
      h = sd.nn.relu(decoderLinear("dec/" + k, h, in, out), 0);
      in = out;
    }
    return decoderLinear("dec/out", h, in, outputs * config.inputSize());
  }

  private SDVariable convDecoder(SDVariable z, int outputs) {
    List<Integer> ch = config.hidden();
    int f = 1 << ch.size();
    long h0 = config.height() / f;
    long w0 = config.width() / f;
    long c0 = ch.get(ch.size() - 1);
    SDVariable h = sd.nn.relu(decoderLinear("dec/fc", z, config.latent(), c0 * h0 * w0), 0);
    h = h.reshape(-1, c0, h0, w0);
    long inC = c0;
    for (int i = ch.size() - 2, k = 0; i >= -1; i--, k++) {
      boolean last = i < 0;
      long outC = last ? (long) outputs * config.channels() : ch.get(i);
      final long ic = inC;
      // libnd4j deconv2d weights are [kH, kW, outC, inC].
      SDVariable w = decoderParam("dec/deconv" + k + "/w", () -> Init.uniformFanIn(outC * 16, 4, 4, outC, ic));
      SDVariable b = decoderParam("dec/deconv" + k + "/b", () -> Init.uniformFanIn(outC * 16, outC));
      DeConv2DConfig dc = DeConv2DConfig.builder().kH(4).kW(4).sH(2).sW(2).pH(1).pW(1).build();
      h = sd.cnn.deconv2d(h, w, b, dc);
      if (!last) {
        h = sd.nn.relu(h, 0);
      }
      inC = outC;
    }
    return h.reshape(-1, (long) outputs * config.inputSize());
  }


  /** -log p(x|z) per image, summed over pixels. */
  private SDVariable perImageNll(SDVariable x, SDVariable[] out) {
    switch (config.likelihood()) {
      case BERNOULLI: {
        // Sigmoid cross-entropy from logits, stable for any logit:
        // softplus(l) - x*l = max(l, 0) - x*l + log(1 + exp(-|l|)). (sd.nn.softplus overflows for
        // large logits, and sd.loss.sigmoidCrossEntropy's gradient fails the gradient check in M2.1.)
        SDVariable l = out[0];
        SDVariable softplusTail = sd.math.log1p(sd.math.exp(sd.math.abs(l).neg()));
        return sd.nn.relu(l, 0).sub(x.mul(l)).add(softplusTail).sum(1);
      }
      case GAUSSIAN_FIXED: {
        double var = config.gaussianStd() * config.gaussianStd();
        double c = 0.5 * Math.log(2 * Math.PI * var);
        SDVariable diff = x.sub(out[0]);
        return diff.mul(diff).mul(0.5 / var).add(c).sum(1);
      }
      case GAUSSIAN_LEARNED: {
        SDVariable diff = x.sub(out[0]);
        SDVariable lv = out[1];
        return diff.mul(diff).mul(sd.math.exp(lv.neg())).add(lv).add(Math.log(2 * Math.PI)).mul(0.5).sum(1);
      }
      default:
        throw new IllegalStateException("unknown likelihood " + config.likelihood());
    }
  }

  /** {@code x @ W + b}, PyTorch's default init (uniform +-1/sqrt(fanIn) for W and b). */
  private SDVariable linear(String name, SDVariable x, long in, long out) {
    SDVariable w = param(name + "/w", Init.uniformFanIn(in, in, out));
    SDVariable b = param(name + "/b", Init.uniformFanIn(in, out));
    return sd.nn.linear(x, w, b);
  }

  private SDVariable decoderLinear(String name, SDVariable x, long in, long out) {
    SDVariable w = decoderParam(name + "/w", () -> Init.uniformFanIn(in, in, out));
    SDVariable b = decoderParam(name + "/b", () -> Init.uniformFanIn(in, out));
    return sd.nn.linear(x, w, b);
  }

  /** On the first decode creates the parameter; on the second returns the same one, in order. */
  private SDVariable decoderParam(String name, java.util.function.Supplier<INDArray> init) {
    if (decoderParamCursor < decoderParams.size()) {
      return decoderParams.get(decoderParamCursor++);
    }
    SDVariable v = param(name, init.get());
    decoderParams.add(v);
    decoderParamCursor++;
    return v;
  }

  private SDVariable param(String name, INDArray init) {
    paramNames.add(name);
    return sd.var(name, init.castTo(dtype));
  }
}
