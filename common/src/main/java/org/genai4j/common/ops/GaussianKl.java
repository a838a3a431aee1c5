package org.genai4j.common.ops;

/**
 * The KL divergence of a VAE's approximate posterior from its prior, {@code KL(N(mu, diag
 * exp(logvar)) || N(0, I)) = 1/2 sum_j (mu_j^2 + exp(logvar_j) - 1 - logvar_j)} per example, summed
 * over the latent dimensions and averaged over the batch's examples (counted over all shards with
 * {@code ctx.allReduceSum}, so the shards' losses and gradients add up to the batch's).
 *
 * <p>The input is the encoder's output {@code [N, 2Z]}: each row holds {@code mu} (Z values) then
 * {@code logvar} (Z values), PyTorch's {@code mu, logvar = h.chunk(2, dim=1)}; the same tensor
 * feeds {@link GaussianSample}, and {@link #addGradient} adds this loss's gradient into the
 * sample's input gradient, so the encoder gets one gradient without another buffer. Gradients:
 * {@code d/dmu = mu}, {@code d/dlogvar = (exp(logvar) - 1) / 2}, over the batch's example count.
 * A loss, not a {@link Layer}: {@link #forward} returns this shard's part of the batch's loss.
 */
public final class GaussianKl {
  private final KeptGradient kept = new KeptGradient("gaussian KL");
  private float[] in = new float[0];

  /** This shard's part of the batch's mean KL, for {@code muLogvar} {@code [N, 2Z]}. */
  public double forward(StepContext ctx, Tensor muLogvar) {
    if (muLogvar.rank() != 2 || muLogvar.dim(1) % 2 != 0) {
      throw new IllegalArgumentException("gaussian KL takes [N, 2Z] (mu then logvar per row), got " + muLogvar);
    }
    int n = muLogvar.dim(0);
    int z = muLogvar.dim(1) / 2;
    int len = muLogvar.length();
    in = len > in.length ? new float[len] : in;
    muLogvar.read(0, in, 0, len);
    float[] grad = kept.start(ctx, muLogvar.shape(), len);
    double sum = 0;
    for (int r = 0; r < n; r++) {
      int mu = r * 2 * z;
      int lv = mu + z;
      for (int j = 0; j < z; j++) {
        double m = in[mu + j];
        double l = in[lv + j];
        double e = Math.exp(l);
        sum += m * m + e - 1 - l;
        if (grad != null) {
          grad[mu + j] = (float) m;
          grad[lv + j] = (float) (0.5 * (e - 1));
        }
      }
    }
    return 0.5 * sum / kept.divideBy(ctx, n);
  }

  /** The gradient of this shard's KL with respect to {@code [mu, logvar]} (a buffer of this op). */
  public Tensor backward(StepContext ctx) {
    return backward(ctx, 1f);
  }

  /** The gradient of {@code weight} times this shard's KL (beta-VAE, KL warm-up). */
  public Tensor backward(StepContext ctx, float weight) {
    return kept.scaled(weight);
  }

  /** ADDS the gradient of {@code weight} times this shard's KL to {@code into} ({@code [N, 2Z]}, e.g. the sample's input gradient). */
  public void addGradient(StepContext ctx, float weight, Tensor into) {
    kept.addScaled(weight, into);
  }
}
