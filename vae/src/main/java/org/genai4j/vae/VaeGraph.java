package org.genai4j.vae;

import java.util.ArrayList;
import java.util.List;
import org.genai4j.common.nn.ConvLayers;
import org.genai4j.common.nn.Init;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

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

  /** Above this logit softplus(l) = l to within exp(-30). */
  private static final double SOFTPLUS_LINEAR_FROM = 30;

  private final VaeConfig config;
  private final SameDiff sd;
  private final DataType dtype;

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
    List<String> params = new ArrayList<>();
    for (SDVariable v : g.sd.variables()) {
      if (v.getVariableType() == VariableType.VARIABLE) {
        params.add(v.name());
      }
    }
    return new Built(g.sd, List.copyOf(params));
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
      h = sd.nn.relu(ConvLayers.conv2d(sd, "enc/conv" + i, h, inC, outC, 4, 2, 1, true, 0), 0);
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
      h = sd.nn.relu(linear("dec/" + k, h, in, out), 0);
      in = out;
    }
    return linear("dec/out", h, in, outputs * config.inputSize());
  }

  private SDVariable convDecoder(SDVariable z, int outputs) {
    List<Integer> ch = config.hidden();
    int f = 1 << ch.size();
    long h0 = config.height() / f;
    long w0 = config.width() / f;
    long c0 = ch.get(ch.size() - 1);
    SDVariable h = sd.nn.relu(linear("dec/fc", z, config.latent(), c0 * h0 * w0), 0);
    h = h.reshape(-1, c0, h0, w0);
    long inC = c0;
    for (int i = ch.size() - 2, k = 0; i >= -1; i--, k++) {
      boolean last = i < 0;
      long outC = last ? (long) outputs * config.channels() : ch.get(i);
      h = ConvLayers.deconv2d(sd, "dec/deconv" + k, h, inC, outC, 4, 2, 1, true, 0);
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
        // Sigmoid cross-entropy from logits, softplus(l) - x*l, without overflow: softplus(l) is
        // softplus(min(l, 30)) + relu(l - 30) (exact to 1e-13). sd.nn.softplus alone overflows to
        // infinity near l = 89 in FLOAT; max(l,0) + log1p(exp(-|l|)) has a wrong gradient at l = 0
        // (relu and abs have derivative 0 there); sd.loss.sigmoidCrossEntropy fails the gradient
        // check in M2.1.
        SDVariable l = out[0];
        SDVariable softplus = sd.nn.softplus(sd.scalarMin(l, SOFTPLUS_LINEAR_FROM))
            .add(sd.nn.relu(l.sub(SOFTPLUS_LINEAR_FROM), 0));
        return softplus.sub(x.mul(l)).sum(1);
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
    SDVariable w = param(name + "/w", () -> Init.uniformFanIn(in, in, out));
    SDVariable b = param(name + "/b", () -> Init.uniformFanIn(in, out));
    // Not sd.nn.linear: its oneDNN kernel (xw_plus_b) gives wrong, run-to-run different results in M2.1.
    return x.mmul(w).add(b);
  }

  /** The variable {@code name}, created from {@code init} unless the graph has it (the second decode). */
  private SDVariable param(String name, java.util.function.Supplier<INDArray> init) {
    SDVariable v = sd.getVariable(name);
    return v != null ? v : sd.var(name, init.get().castTo(dtype));
  }
}
