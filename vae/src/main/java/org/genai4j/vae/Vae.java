package org.genai4j.vae;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.genai4j.common.train.Checkpoint;
import org.genai4j.common.train.ParameterGroup;
import org.genai4j.common.train.Trainable;
import org.genai4j.common.train.Trainer;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.genai4j.common.util.Progress;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A variational autoencoder in SameDiff: the encoder gives the mean and log-variance of q(z|x), z
 * = mean + sigma * eps (reparameterization), the decoder gives p(x|z). Training minimizes the
 * reconstruction negative log-likelihood plus beta times the analytic KL to N(0, I), per image in
 * nats. Images are {@code [N, C, H, W]}.
 */
public final class Vae implements Trainable {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Rows per forward pass in inference, to bound memory. */
  private static final int CHUNK_ROWS = 2_000;

  private final VaeConfig config;
  private final DataType dtype;
  private final SameDiff sd;
  private final VaeGroup group;
  /** Train with the hand-written step when it supports the config (SameDiff's is ~10x slower). */
  private boolean fastStep;
  private FastMlpVaeGroup fastGroup;

  Vae(VaeConfig config, long seed, DataType dtype) {
    if (config == null) throw new IllegalArgumentException("config is required");
    this.config = config;
    this.dtype = dtype;
    Nd4j.getRandom().setSeed(seed);
    VaeGraph.Built b = VaeGraph.build(config, dtype);
    this.sd = b.sd();
    this.group = new VaeGroup(config, sd, b.paramNames(), dtype);
    this.fastStep = FastMlpVaeGroup.supports(config);
  }

  /** A freshly initialized VAE (PyTorch's default init), weights drawn from {@code seed}. */
  public static Vae create(VaeConfig config, long seed) {
    return new Vae(config, seed, DataType.FLOAT);
  }

  /**
   * Loads a trained VAE from a run directory (its {@code last.ckpt}) or from a checkpoint file.
   */
  public static Vae load(Path runDirOrCheckpoint) {
    Path file = org.genai4j.common.train.Checkpoint.exists(runDirOrCheckpoint) ? runDirOrCheckpoint : runDirOrCheckpoint.resolve(Trainer.LAST);
    if (!Files.exists(file)) {
      throw new IllegalArgumentException("no VAE checkpoint at " + file.toAbsolutePath()
          + " (expected a run directory written by VaeTraining.train, or a .ckpt file)");
    }
    Checkpoint c = Checkpoint.read(file);
    VaeConfig config;
    try {
      config = JSON.readValue(c.configJson(), VaeConfig.class);
    } catch (JsonProcessingException | RuntimeException e) {
      throw new IllegalArgumentException("checkpoint " + file + " does not hold a VAE config: " + e.getMessage(), e);
    }
    Vae vae = new Vae(config, 0, DataType.FLOAT);
    c.restoreInto(vae);
    return vae;
  }

  public VaeConfig config() {
    return config;
  }

  @Override
  public List<ParameterGroup> parameterGroups() {
    if (!fastStep) {
      return List.of(group);
    }
    if (fastGroup == null) {
      fastGroup = new FastMlpVaeGroup(config, group, dtype);
    }
    return List.of(fastGroup);
  }

  @Override
  public String configJson() {
    try {
      return JSON.writeValueAsString(config);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize " + config, e);
    }
  }

  SameDiff sameDiff() {
    return sd;
  }

  /**
   * Chooses the training step: the hand-written MLP step ({@code true}, the default for MLP
   * configs) or the SameDiff graph's gradients. Both compute the same loss on the same arrays.
   */
  void useFastStep(boolean fast) {
    if (fast && !FastMlpVaeGroup.supports(config)) {
      throw new IllegalArgumentException("no fast training step for " + config.arch() + " VAEs");
    }
    this.fastStep = fast;
  }

  VaeGroup group() {
    return group;
  }

  DataType dataType() {
    return dtype;
  }

  /** Optimizer steps this model has been trained for (restored from checkpoints). */
  public long trainedSteps() {
    return group.currentStep();
  }

  /** The posterior means of q(z|x) for {@code images} [N, C, H, W]: [N, latent]. */
  public INDArray encodeMean(INDArray images) {
    INDArray x = flatten(images, "images");
    long n = x.size(0);
    INDArray out = Nd4j.create(dtype, n, config.latent());
    for (long s = 0; s < n; s += CHUNK_ROWS) {
      long e = Math.min(n, s + CHUNK_ROWS);
      INDArray xs = rows(x, s, e);
      Map<String, INDArray> r = sd.output(Map.of(VaeGraph.X, xs), VaeGraph.MU);
      out.get(interval(s, e)).assign(r.get(VaeGraph.MU));
    }
    return out;
  }

  /** Pixel means of p(x|z) for latent codes {@code z} [N, latent], as images [N, C, H, W] clipped to [0,1]. */
  public INDArray decode(INDArray z) {
    if (z.rank() != 2 || z.size(1) != config.latent()) {
      throw new IllegalArgumentException("latent codes must be [N, " + config.latent() + "], got "
          + Arrays.toString(z.shape()));
    }
    long n = z.size(0);
    INDArray out = Nd4j.create(dtype, n, config.inputSize());
    for (long s = 0; s < n; s += CHUNK_ROWS) {
      long e = Math.min(n, s + CHUNK_ROWS);
      INDArray zs = rows(z.castTo(dtype), s, e);
      Map<String, INDArray> r = sd.output(Map.of(VaeGraph.Z_IN, zs), VaeGraph.SAMPLE_MEAN);
      out.get(interval(s, e)).assign(r.get(VaeGraph.SAMPLE_MEAN));
    }
    return clip01(out).reshape('c', n, config.channels(), config.height(), config.width());
  }

  /** Reconstructions: the decoder's pixel means at the posterior mean of each image. */
  public INDArray reconstruct(INDArray images) {
    return decode(encodeMean(images));
  }

  /**
   * {@code n} new images from the prior: z ~ N(0, I) drawn from {@code seed}, decoded to pixel
   * means (Bernoulli probabilities), [n, C, H, W] in [0,1].
   */
  public INDArray sample(int n, long seed) {
    if (n < 1) throw new IllegalArgumentException("number of samples must be >= 1, got " + n);
    return decode(gaussian(n, config.latent(), new Random(seed)));
  }

  /**
   * Per-image reconstruction NLL, KL and negative ELBO (beta 1), one z sample each drawn from
   * {@code seed}. Higher negative ELBO means the model finds the image less likely (an anomaly
   * score).
   */
  public PerImage score(INDArray images, long seed) {
    INDArray x = flatten(images, "images");
    long n = x.size(0);
    double[] recon = new double[(int) n];
    double[] kl = new double[(int) n];
    Random rng = new Random(seed);
    for (long s = 0; s < n; s += CHUNK_ROWS) {
      long e = Math.min(n, s + CHUNK_ROWS);
      Map<String, INDArray> r = sd.output(
          Map.of(VaeGraph.X, rows(x, s, e), VaeGraph.EPS, gaussian(e - s, config.latent(), rng)),
          VaeGraph.RECON, VaeGraph.KL);
      double[] rv = r.get(VaeGraph.RECON).toDoubleVector();
      double[] kv = r.get(VaeGraph.KL).toDoubleVector();
      System.arraycopy(rv, 0, recon, (int) s, rv.length);
      System.arraycopy(kv, 0, kl, (int) s, kv.length);
    }
    return new PerImage(recon, kl);
  }

  /** Per-image terms of the negative ELBO, in nats. */
  public record PerImage(double[] reconstruction, double[] kl) {
    public double[] negElbo() {
      double[] out = new double[reconstruction.length];
      for (int i = 0; i < out.length; i++) {
        out[i] = reconstruction[i] + kl[i];
      }
      return out;
    }
  }

  /**
   * The log importance weights log p(x, z_j) - log q(z_j|x) of {@code k} samples z_j ~ q(z|x) per
   * image: [N, k].
   */
  double[][] logImportanceWeights(INDArray images, int k, long seed) {
    return logImportanceWeights(images, k, seed, Progress.silent());
  }

  /** As {@link #logImportanceWeights(INDArray, int, long)}, advancing {@code progress} by the images done. */
  double[][] logImportanceWeights(INDArray images, int k, long seed, Progress progress) {
    INDArray x = flatten(images, "images");
    int n = (int) x.size(0);
    double[][] out = new double[n][k];
    Random rng = new Random(seed);
    int perChunk = Math.max(1, CHUNK_ROWS / k);
    for (int s = 0; s < n; s += perChunk) {
      int e = Math.min(n, s + perChunk);
      INDArray xs = rows(x, s, e);
      // Each image repeated k times, consecutive: row (i*k + j) is sample j of image i.
      INDArray rep = xs.reshape(e - s, 1, config.inputSize()).repeat(1, k).reshape('c', (long) (e - s) * k, config.inputSize());
      Map<String, INDArray> r = sd.output(
          Map.of(VaeGraph.X, rep, VaeGraph.EPS, gaussian((long) (e - s) * k, config.latent(), rng)), VaeGraph.LOG_W);
      double[] lw = r.get(VaeGraph.LOG_W).toDoubleVector();
      for (int i = s; i < e; i++) {
        System.arraycopy(lw, (i - s) * k, out[i], 0, k);
      }
      progress.advance(e - s);
    }
    return out;
  }

  /** Images [N, C, H, W] (or already flat [N, D]) as a c-ordered [N, D] array of the model's type. */
  INDArray flatten(INDArray images, String what) {
    if (images == null) throw new IllegalArgumentException(what + " is null");
    long[] s = images.shape();
    boolean nchw = images.rank() == 4 && s[1] == config.channels() && s[2] == config.height() && s[3] == config.width();
    boolean flat = images.rank() == 2 && s[1] == config.inputSize();
    if (!nchw && !flat) {
      throw new IllegalArgumentException(what + " must be [N, " + config.channels() + ", " + config.height() + ", "
          + config.width() + "] for this VAE, got " + Arrays.toString(s));
    }
    return images.castTo(dtype).reshape('c', s[0], config.inputSize());
  }

  private static INDArray rows(INDArray x, long from, long to) {
    return x.get(interval(from, to), org.nd4j.linalg.indexing.NDArrayIndex.all()).dup('c');
  }

  private static org.nd4j.linalg.indexing.INDArrayIndex interval(long from, long to) {
    return org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to);
  }

  private INDArray gaussian(long n, long d, Random rng) {
    double[] v = new double[(int) (n * d)];
    for (int i = 0; i < v.length; i++) {
      v[i] = rng.nextGaussian();
    }
    return Nd4j.create(v, new long[] {n, d}, dtype);
  }

  private static INDArray clip01(INDArray a) {
    return org.nd4j.linalg.ops.transforms.Transforms.min(org.nd4j.linalg.ops.transforms.Transforms.max(a, 0.0, false), 1.0, false);
  }

  /** The KL weight and step counter, for tests. */
  Map<String, Double> state() {
    Map<String, Double> m = new HashMap<>();
    m.put("step", (double) group.currentStep());
    m.put("klWeight", config.klWeight(group.currentStep()));
    return m;
  }
}
