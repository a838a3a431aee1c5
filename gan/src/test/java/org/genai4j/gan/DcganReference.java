package org.genai4j.gan;

import java.util.Map;

/**
 * The DCGAN in plain double-precision loops, written from the paper's description independently
 * of the ops: G and D in training mode (batch statistics), the discriminator's and the
 * generator's losses. Arrays are flat, row-major NCHW; parameters by their PyTorch-style names.
 */
final class DcganReference {
  private static final double EPS = 1e-5;

  private final DcganConfig c;
  private final Map<String, double[]> p;

  DcganReference(DcganConfig c, Map<String, double[]> params) {
    this.c = c;
    this.p = params;
  }

  /** mean BCE(D(real), realLabel) + mean BCE(D(G(z)), 0), D on [real; fake] with batch statistics per half. */
  double discriminatorLoss(double[] real, double[] z, int n) {
    double[] fake = generator(z, n);
    double[] both = new double[2 * real.length];
    System.arraycopy(real, 0, both, 0, real.length);
    System.arraycopy(fake, 0, both, real.length, fake.length);
    double[] logits = discriminator(both, 2 * n, 2);
    double loss = 0;
    for (int i = 0; i < n; i++) {
      loss += (bce(logits[i], c.realLabel()) + bce(logits[n + i], 0)) / n;
    }
    return loss;
  }

  /** mean BCE(D(G(z)), 1), D's batch statistics over the generated images. */
  double generatorLoss(double[] z, int n) {
    return imageLoss(generator(z, n), n);
  }

  /** mean BCE(D(images), 1): the generator's loss as a function of the images D sees. */
  double imageLoss(double[] images, int n) {
    double[] logits = discriminator(images, n, 1);
    double loss = 0;
    for (double l : logits) {
      loss += bce(l, 1) / n;
    }
    return loss;
  }

  double[] generator(double[] z, int n) {
    int s = c.startSize();
    int ch = c.baseFeatures() << (c.stages() - 1);
    double[] h = linear(z, n, c.latentSize(), p.get("generator.project.weight"), null, ch * s * s);
    h = batchNorm(h, n, ch, s * s, "generator.bn0", 0, 1);
    for (int i = 1; i < c.stages(); i++) {
      h = convTranspose(h, n, ch, s, p.get("generator.up" + i + ".weight"), null, ch / 2);
      ch /= 2;
      s *= 2;
      h = batchNorm(h, n, ch, s * s, "generator.bn" + i, 0, 1);
    }
    String last = "generator.up" + c.stages();
    h = convTranspose(h, n, ch, s, p.get(last + ".weight"), p.get(last + ".bias"), c.channels());
    for (int i = 0; i < h.length; i++) {
      h[i] = Math.tanh(h[i]);
    }
    return h;
  }

  double[] discriminator(double[] x, int n, int segments) {
    int s = c.imageSize();
    int ch = c.baseFeatures();
    double[] h = conv(x, n, c.channels(), s, p.get("discriminator.down1.weight"), p.get("discriminator.down1.bias"), ch);
    s /= 2;
    for (int i = 0; i < h.length; i++) {
      h[i] = Math.max(h[i], 0.2 * h[i]);
    }
    for (int i = 2; i <= c.stages(); i++) {
      h = conv(h, n, ch, s, p.get("discriminator.down" + i + ".weight"), null, 2 * ch);
      ch *= 2;
      s /= 2;
      h = batchNorm(h, n, ch, s * s, "discriminator.bn" + i, 0.2, segments);
    }
    return linear(h, n, ch * s * s, p.get("discriminator.logit.weight"), p.get("discriminator.logit.bias"), 1);
  }

  static double bce(double logit, double target) {
    return Math.max(logit, 0) - logit * target + Math.log1p(Math.exp(-Math.abs(logit)));
  }

  /** {@code y = x W^T + b}, W {@code [out, in]}. */
  private static double[] linear(double[] x, int n, int in, double[] w, double[] b, int out) {
    double[] y = new double[n * out];
    for (int r = 0; r < n; r++) {
      for (int o = 0; o < out; o++) {
        double s = b == null ? 0 : b[o];
        for (int i = 0; i < in; i++) {
          s += x[r * in + i] * w[o * in + i];
        }
        y[r * out + o] = s;
      }
    }
    return y;
  }

  /** Batch norm with batch statistics per segment of rows and channel, then {@code max(v, slope v)}. */
  private double[] batchNorm(double[] x, int n, int ch, int spatial, String name, double slope, int segments) {
    double[] w = p.get(name + ".weight");
    double[] b = p.get(name + ".bias");
    double[] y = new double[x.length];
    int per = n / segments;
    for (int seg = 0; seg < segments; seg++) {
      for (int k = 0; k < ch; k++) {
        double sum = 0;
        double sq = 0;
        for (int r = seg * per; r < (seg + 1) * per; r++) {
          for (int q = 0; q < spatial; q++) {
            sum += x[(r * ch + k) * spatial + q];
          }
        }
        double mean = sum / (per * spatial);
        for (int r = seg * per; r < (seg + 1) * per; r++) {
          for (int q = 0; q < spatial; q++) {
            double d = x[(r * ch + k) * spatial + q] - mean;
            sq += d * d;
          }
        }
        double inv = 1 / Math.sqrt(sq / (per * spatial) + EPS);
        for (int r = seg * per; r < (seg + 1) * per; r++) {
          for (int q = 0; q < spatial; q++) {
            int at = (r * ch + k) * spatial + q;
            double v = w[k] * (x[at] - mean) * inv + b[k];
            y[at] = Math.max(v, slope * v);
          }
        }
      }
    }
    return y;
  }

  /** Kernel 4, stride 2, padding 1 convolution, W {@code [out, in, 4, 4]}: size {@code s -> s / 2}. */
  private static double[] conv(double[] x, int n, int in, int s, double[] w, double[] b, int out) {
    int so = s / 2;
    double[] y = new double[n * out * so * so];
    for (int r = 0; r < n; r++) {
      for (int o = 0; o < out; o++) {
        for (int i = 0; i < so; i++) {
          for (int j = 0; j < so; j++) {
            double v = b == null ? 0 : b[o];
            for (int k = 0; k < in; k++) {
              for (int u = 0; u < 4; u++) {
                for (int t = 0; t < 4; t++) {
                  int yi = 2 * i + u - 1;
                  int xj = 2 * j + t - 1;
                  if (yi >= 0 && yi < s && xj >= 0 && xj < s) {
                    v += w[((o * in + k) * 4 + u) * 4 + t] * x[((r * in + k) * s + yi) * s + xj];
                  }
                }
              }
            }
            y[((r * out + o) * so + i) * so + j] = v;
          }
        }
      }
    }
    return y;
  }

  /** Kernel 4, stride 2, padding 1 transposed convolution, W {@code [in, out, 4, 4]}: size {@code s -> 2 s}. */
  private static double[] convTranspose(double[] x, int n, int in, int s, double[] w, double[] b, int out) {
    int so = 2 * s;
    double[] y = new double[n * out * so * so];
    for (int r = 0; r < n; r++) {
      for (int o = 0; o < out; o++) {
        for (int a = 0; a < so * so; a++) {
          y[(r * out + o) * so * so + a] = b == null ? 0 : b[o];
        }
        for (int k = 0; k < in; k++) {
          for (int i = 0; i < s; i++) {
            for (int j = 0; j < s; j++) {
              double v = x[((r * in + k) * s + i) * s + j];
              for (int u = 0; u < 4; u++) {
                for (int t = 0; t < 4; t++) {
                  int yi = 2 * i + u - 1;
                  int xj = 2 * j + t - 1;
                  if (yi >= 0 && yi < so && xj >= 0 && xj < so) {
                    y[((r * out + o) * so + yi) * so + xj] += v * w[((k * out + o) * 4 + u) * 4 + t];
                  }
                }
              }
            }
          }
        }
      }
    }
    return y;
  }
}
