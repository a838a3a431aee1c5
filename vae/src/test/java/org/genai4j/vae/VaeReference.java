package org.genai4j.vae;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.genai4j.common.ops.StepContext;

/**
 * The VAE in plain double-precision loops, written from its definition (not from the ops), for
 * the tests: the same architecture and parameter names as {@link Vae}, the same noise (row r's
 * eps from {@code ctx.random(Vae.NOISE, r)}, rounded to float as the op draws it).
 */
final class VaeReference {
  private final VaeConfig c;
  private final Map<String, double[]> p;

  VaeReference(VaeConfig config, Map<String, double[]> params) {
    this.c = config;
    this.p = params;
  }

  /** Each image's terms of the negative ELBO: [n][2] = {-log p(x|z), KL(q(z|x) || N(0, I))}. */
  double[][] perImage(double[] x, int n, StepContext ctx) {
    int d = c.inputSize();
    int z = c.latent();
    double[][] out = new double[n][];
    for (int r = 0; r < n; r++) {
      double[] image = java.util.Arrays.copyOfRange(x, r * d, (r + 1) * d);
      double[] h = encode(image);
      SplittableRandom rng = ctx.random(Vae.NOISE, r);
      double[] code = new double[z];
      double kl = 0;
      for (int j = 0; j < z; j++) {
        double eps = (float) rng.nextGaussian();
        double mu = h[j];
        double lv = h[z + j];
        code[j] = mu + Math.exp(lv / 2) * eps;
        kl += 0.5 * (mu * mu + Math.exp(lv) - 1 - lv);
      }
      out[r] = new double[] {nll(decode(code), image), kl};
    }
    return out;
  }

  /** The training loss: the mean over images of {@code -log p(x|z) + klWeight KL}. */
  double loss(double[] x, int n, StepContext ctx, double klWeight) {
    double sum = 0;
    for (double[] t : perImage(x, n, ctx)) {
      sum += t[0] + klWeight * t[1];
    }
    return sum / n;
  }

  /** The encoder's [mu | logvar] for one image. */
  double[] encode(double[] image) {
    List<Integer> hidden = c.hidden();
    if (c.arch() == VaeConfig.Arch.MLP) {
      double[] h = image;
      int i = 0;
      for (int k = 0; k < hidden.size(); k++, i += 2) {
        h = relu(linear("encoder." + i, h));
      }
      return linear("encoder." + i, h);
    }
    double[] h = image;
    int channels = c.channels();
    int size = c.height();
    int width = c.width();
    int i = 0;
    for (int k = 0; k < hidden.size(); k++, i += 2) {
      h = relu(conv("encoder." + i, h, channels, hidden.get(k), size, width));
      channels = hidden.get(k);
      size /= 2;
      width /= 2;
    }
    // Flatten is module i; the linear layer is module i + 1.
    return linear("encoder." + (i + 1), h);
  }

  /** The decoder's output for one latent code: logits, means, or means then log-variances (per pixel). */
  double[] decode(double[] code) {
    List<Integer> hidden = c.hidden();
    if (c.arch() == VaeConfig.Arch.MLP) {
      double[] h = code;
      int i = 0;
      for (int k = hidden.size() - 1; k >= 0; k--, i += 2) {
        h = relu(linear("decoder." + i, h));
      }
      return linear("decoder." + i, h);
    }
    int f = 1 << hidden.size();
    double[] h = relu(linear("decoder.0", code));
    int channels = hidden.get(hidden.size() - 1);
    int size = c.height() / f;
    int width = c.width() / f;
    int i = 3;
    for (int k = hidden.size() - 2; k >= 0; k--, i += 2) {
      h = relu(deconv("decoder." + i, h, channels, hidden.get(k), size, width));
      channels = hidden.get(k);
      size *= 2;
      width *= 2;
    }
    int outChannels = (c.likelihood() == VaeConfig.Likelihood.GAUSSIAN_LEARNED ? 2 : 1) * c.channels();
    return deconv("decoder." + i, h, channels, outChannels, size, width);
  }

  /** -log p(x|z) summed over the pixels. */
  double nll(double[] out, double[] x) {
    int d = x.length;
    double s = 0;
    for (int j = 0; j < d; j++) {
      switch (c.likelihood()) {
        case BERNOULLI -> {
          double l = out[j];
          s += Math.max(l, 0) - l * x[j] + Math.log1p(Math.exp(-Math.abs(l)));
        }
        case GAUSSIAN_FIXED -> {
          double var = c.gaussianStd() * c.gaussianStd();
          double diff = x[j] - out[j];
          s += diff * diff / (2 * var) + 0.5 * Math.log(2 * Math.PI * var);
        }
        case GAUSSIAN_LEARNED -> {
          double lv = out[d + j];
          double diff = x[j] - out[j];
          s += 0.5 * (diff * diff * Math.exp(-lv) + lv + Math.log(2 * Math.PI));
        }
        default -> throw new IllegalStateException();
      }
    }
    return s;
  }

  /** {@code W x + b}, W [out, in]. */
  private double[] linear(String name, double[] x) {
    double[] w = param(name + ".weight");
    double[] b = param(name + ".bias");
    int out = b.length;
    int in = x.length;
    if (w.length != out * in) {
      throw new IllegalStateException(name + " does not take " + in + " inputs");
    }
    double[] y = new double[out];
    for (int o = 0; o < out; o++) {
      double s = b[o];
      for (int i = 0; i < in; i++) {
        s += w[o * in + i] * x[i];
      }
      y[o] = s;
    }
    return y;
  }

  /** A 4x4, stride 2, padding 1 convolution of one image [in, h, w], weights [out, in, 4, 4]. */
  private double[] conv(String name, double[] x, int in, int out, int h, int w) {
    double[] wt = param(name + ".weight");
    double[] b = param(name + ".bias");
    int ho = h / 2;
    int wo = w / 2;
    double[] y = new double[out * ho * wo];
    for (int o = 0; o < out; o++) {
      for (int oh = 0; oh < ho; oh++) {
        for (int ow = 0; ow < wo; ow++) {
          double s = b[o];
          for (int ci = 0; ci < in; ci++) {
            for (int kh = 0; kh < 4; kh++) {
              for (int kw = 0; kw < 4; kw++) {
                int ih = oh * 2 - 1 + kh;
                int iw = ow * 2 - 1 + kw;
                if (ih >= 0 && ih < h && iw >= 0 && iw < w) {
                  s += wt[((o * in + ci) * 4 + kh) * 4 + kw] * x[(ci * h + ih) * w + iw];
                }
              }
            }
          }
          y[(o * ho + oh) * wo + ow] = s;
        }
      }
    }
    return y;
  }

  /** A 4x4, stride 2, padding 1 transposed convolution of one image [in, h, w], weights [in, out, 4, 4]. */
  private double[] deconv(String name, double[] x, int in, int out, int h, int w) {
    double[] wt = param(name + ".weight");
    double[] b = param(name + ".bias");
    int ho = h * 2;
    int wo = w * 2;
    double[] y = new double[out * ho * wo];
    for (int o = 0; o < out; o++) {
      for (int q = 0; q < ho * wo; q++) {
        y[o * ho * wo + q] = b[o];
      }
    }
    for (int ci = 0; ci < in; ci++) {
      for (int ih = 0; ih < h; ih++) {
        for (int iw = 0; iw < w; iw++) {
          double v = x[(ci * h + ih) * w + iw];
          for (int o = 0; o < out; o++) {
            for (int kh = 0; kh < 4; kh++) {
              for (int kw = 0; kw < 4; kw++) {
                int oh = ih * 2 - 1 + kh;
                int ow = iw * 2 - 1 + kw;
                if (oh >= 0 && oh < ho && ow >= 0 && ow < wo) {
                  y[(o * ho + oh) * wo + ow] += v * wt[((ci * out + o) * 4 + kh) * 4 + kw];
                }
              }
            }
          }
        }
      }
    }
    return y;
  }

  private static double[] relu(double[] x) {
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = Math.max(0, x[i]);
    }
    return y;
  }

  private double[] param(String name) {
    double[] v = p.get(name);
    if (v == null) {
      throw new IllegalStateException("the model has no parameter " + name + "; it has " + p.keySet());
    }
    return v;
  }
}
