package org.genai4j.common.ops;

import java.util.SplittableRandom;

/**
 * The reparameterization trick of a VAE: {@code z = mu + exp(logvar / 2) eps}, {@code eps ~ N(0,
 * I)}, from the encoder's output {@code [N, 2Z]} (each row {@code mu} then {@code logvar}, as
 * {@link GaussianKl} takes it) to {@code z} {@code [N, Z]}. The backward pass gives {@code dz} to
 * mu and {@code dz eps exp(logvar / 2) / 2} to logvar.
 *
 * <p>The noise of example r comes from {@code ctx.random(stream, r)}: a pure function of the
 * run's seed, the step, this op's stream number and the example's row in the whole batch, so any
 * shard count and a resumed run draw the same z. Training and inference both sample (a test-set
 * ELBO needs it); {@link #meanInInference()} makes inference return {@code mu} instead (a
 * reconstruction).
 *
 * <p>For an importance-weighted bound, {@link #logPriorOverPosterior()} gives each example's
 * {@code log p(z) - log q(z|x)} at the z it drew.
 */
public final class GaussianSample implements Layer {
  private final long stream;
  private boolean meanInInference;
  private boolean sampled;
  /** Whether {@code in} still holds the last forward pass's input (backward reuses the array). */
  private boolean inputKept;
  private int rows;
  private int latent;
  private float[] in = new float[0];
  private float[] eps = new float[0];
  private float[] sigma = new float[0];
  private float[] out = new float[0];
  private Tensor z;
  private Tensor dx;

  /** Noise from random stream {@code stream} (a number the model picks for this op). */
  public GaussianSample(long stream) {
    this.stream = stream;
  }

  /** In inference, z = mu (no noise). */
  public GaussianSample meanInInference() {
    meanInInference = true;
    return this;
  }

  @Override
  public Tensor forward(StepContext ctx, Tensor muLogvar) {
    if (muLogvar.rank() != 2 || muLogvar.dim(1) % 2 != 0) {
      throw new IllegalArgumentException("gaussian sample takes [N, 2Z] (mu then logvar per row), got " + muLogvar);
    }
    rows = muLogvar.dim(0);
    latent = muLogvar.dim(1) / 2;
    int len = muLogvar.length();
    int zLen = rows * latent;
    in = len > in.length ? new float[len] : in;
    if (zLen > eps.length) {
      eps = new float[zLen];
      sigma = new float[zLen];
      out = new float[zLen];
    }
    muLogvar.read(0, in, 0, len);
    sampled = ctx.training() || !meanInInference;
    for (int r = 0; r < rows; r++) {
      SplittableRandom rng = sampled ? ctx.random(stream, r) : null;
      int mu = r * 2 * latent;
      for (int j = 0; j < latent; j++) {
        int q = r * latent + j;
        float e = sampled ? (float) rng.nextGaussian() : 0f;
        float s = (float) Math.exp(0.5 * in[mu + latent + j]);
        eps[q] = e;
        sigma[q] = s;
        out[q] = in[mu + j] + s * e;
      }
    }
    z = Tensor.ensure(z, rows, latent);
    z.write(0, out, 0, zLen);
    inputKept = true;
    return z;
  }

  /**
   * Per example of the last forward pass: {@code log p(z) - log q(z|x)}, the prior N(0, I) over
   * the posterior N(mu, diag exp(logvar)) at the z drawn, summed over the latent dimensions: {@code
   * sum_j (lv_j + eps_j^2 - z_j^2) / 2} (the two densities' {@code 2 pi} terms cancel). Added to
   * {@code log p(x|z)} it is the log importance weight of Burda et al.'s bound. Valid until the
   * next backward pass.
   */
  public double[] logPriorOverPosterior() {
    if (!inputKept) {
      throw new IllegalStateException("gaussian sample: logPriorOverPosterior needs a forward pass (and no backward"
          + " pass since)");
    }
    double[] w = new double[rows];
    for (int r = 0; r < rows; r++) {
      int lv = r * 2 * latent + latent;
      double s = 0;
      for (int j = 0; j < latent; j++) {
        int q = r * latent + j;
        double e = eps[q];
        double zq = out[q];
        s += in[lv + j] + e * e - zq * zq;
      }
      w[r] = 0.5 * s;
    }
    return w;
  }

  @Override
  public Tensor backward(StepContext ctx, Tensor dz) {
    if (z == null) {
      throw new IllegalStateException("gaussian sample: backward before forward");
    }
    if (!dz.sameShape(z)) {
      throw new IllegalArgumentException("gaussian sample: gradient must be " + z + ", got " + dz);
    }
    int zLen = rows * latent;
    inputKept = false;
    dz.read(0, out, 0, zLen);
    float[] g = in;
    for (int r = 0; r < rows; r++) {
      int mu = r * 2 * latent;
      for (int j = 0; j < latent; j++) {
        int q = r * latent + j;
        g[mu + j] = out[q];
        g[mu + latent + j] = 0.5f * out[q] * eps[q] * sigma[q];
      }
    }
    dx = Tensor.ensure(dx, rows, 2 * latent);
    dx.write(0, g, 0, 2 * zLen);
    return dx;
  }
}
