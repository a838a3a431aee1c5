package org.genai4j.vae;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.genai4j.common.ops.Activation;
import org.genai4j.common.ops.Conv2d;
import org.genai4j.common.ops.ConvTranspose2d;
import org.genai4j.common.ops.GaussianKl;
import org.genai4j.common.ops.GaussianNll;
import org.genai4j.common.ops.GaussianSample;
import org.genai4j.common.ops.Init;
import org.genai4j.common.ops.Layer;
import org.genai4j.common.ops.Linear;
import org.genai4j.common.ops.Params;
import org.genai4j.common.ops.Reshape;
import org.genai4j.common.ops.Sequential;
import org.genai4j.common.ops.ShardExchange;
import org.genai4j.common.ops.SigmoidCrossEntropy;
import org.genai4j.common.ops.StepContext;
import org.genai4j.common.ops.Tensor;
import org.genai4j.common.train.Batch;
import org.genai4j.common.train.Checkpoint;
import org.genai4j.common.train.Replicas;
import org.genai4j.common.train.RunDir;
import org.genai4j.common.train.StepLoss;
import org.genai4j.common.util.Parallel;
import org.genai4j.common.util.Progress;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A variational autoencoder, written once from ops: the encoder maps images to the mean and
 * log-variance of q(z|x) ({@code [N, 2Z]}, mu then logvar per row), z = mu + sigma eps is drawn
 * from them, and the decoder maps z to the parameters of p(x|z) per pixel. Training minimizes the
 * negative ELBO, {@code -log p(x|z) + w KL(q(z|x) || N(0, I))} per image in nats, averaged over
 * the batch, where w is beta after the KL warm-up ({@link VaeConfig#klWeight}). The same modules
 * give the test-set ELBO, the importance-weighted bound, reconstructions and samples.
 *
 * <p>Architectures ({@link VaeConfig#arch()}), with PyTorch's parameter names ({@code
 * nn.Sequential} numbering, activations and reshapes counted):
 * <ul>
 *   <li>MLP: {@code encoder} = Linear, ReLU per hidden width, then Linear to 2Z; {@code decoder} =
 *       Linear, ReLU per hidden width in reverse, then Linear to D (2D for learned variances);
 *   <li>CONV: {@code encoder} = Conv2d(4, stride 2, padding 1), ReLU per channel count, Flatten,
 *       Linear to 2Z; {@code decoder} = Linear, ReLU, Unflatten, then ConvTranspose2d(4, 2, 1) with
 *       ReLU between them back to the image's channels (twice as many for learned variances).
 * </ul>
 * Linear layers start from PyTorch's default ({@code +-1/sqrt(fan_in)} for weights and biases),
 * convolutions from its default weights and zero biases.
 */
public final class Vae {

  /** Random stream of the reparameterization noise ({@link StepContext#random}). */
  static final long NOISE = 1;
  /** Rows per inference pass, to bound the activations' memory. */
  private static final int INFERENCE_ROWS = 1000;

  private final VaeConfig config;
  private final Params params;
  private final Sequential encoder;
  private final GaussianSample sample = new GaussianSample(NOISE);
  private final Sequential decoder;
  private final GaussianKl kl = new GaussianKl();
  /** The reconstruction term: Bernoulli on logits, or a Gaussian; exactly one is set. */
  private final SigmoidCrossEntropy bernoulli;
  private final GaussianNll gaussian;
  /** Bernoulli logits to pixel probabilities, for decoding. */
  private final Activation probabilities = Activation.sigmoid();
  /** This copy's input: the images of a batch (a shard's rows) or of an inference chunk. */
  private Tensor images;
  private Tensor latents;
  private Tensor repeated;
  private Replicas<Vae> replicas;

  /** The model on {@code params}: fresh ({@code Params.init}), for loading, or a replica's. */
  public Vae(VaeConfig config, Params params) {
    if (config == null) {
      throw new IllegalArgumentException("VaeConfig is required");
    }
    this.config = config;
    this.params = params;
    boolean mlp = config.arch() == VaeConfig.Arch.MLP;
    this.encoder = mlp ? mlpEncoder(config, params) : convEncoder(config, params);
    this.decoder = mlp ? mlpDecoder(config, params) : convDecoder(config, params);
    switch (config.likelihood()) {
      case BERNOULLI -> {
        bernoulli = new SigmoidCrossEntropy();
        gaussian = null;
      }
      case GAUSSIAN_FIXED -> {
        bernoulli = null;
        gaussian = GaussianNll.fixedStd(config.gaussianStd());
      }
      case GAUSSIAN_LEARNED -> {
        bernoulli = null;
        gaussian = GaussianNll.learnedVariance();
      }
      default -> throw new IllegalStateException("unknown likelihood " + config.likelihood());
    }
  }

  /** A freshly initialized VAE whose weights are drawn from {@code seed}. */
  public static Vae create(VaeConfig config, long seed) {
    return new Vae(config, Params.init(seed));
  }

  /**
   * Loads a trained VAE from a run folder (its best checkpoint if it has one, else the last) or
   * from a checkpoint folder. A missing or misshaped tensor fails with a one-line error naming it.
   */
  public static Vae load(Path runDirOrCheckpoint) {
    if (!Checkpoint.exists(runDirOrCheckpoint)) {
      return RunDir.loadModel(runDirOrCheckpoint, Vae::load);
    }
    Path dir = runDirOrCheckpoint;
    Checkpoint c = Checkpoint.read(dir);
    Vae vae = new Vae(VaeConfig.fromJson(c.configJson(), dir.toString()), Params.forLoading(c.modelValues()));
    c.restoreInto(new VaeTrainable(vae));
    return vae;
  }

  public VaeConfig config() {
    return config;
  }

  /** The parameters by their PyTorch-style names ({@code encoder.0.weight}, ...). */
  public Params params() {
    return params;
  }

  /** The number of trainable scalars. */
  public long parameterCount() {
    return params.count();
  }

  // ---- the model ----

  private static Sequential mlpEncoder(VaeConfig c, Params p) {
    List<Layer> layers = new ArrayList<>();
    int in = c.inputSize();
    for (int width : c.hidden()) {
      layers.add(linear(p, "encoder." + layers.size(), in, width));
      layers.add(Activation.relu());
      in = width;
    }
    layers.add(linear(p, "encoder." + layers.size(), in, 2 * c.latent()));
    // The first layer's input is data: its gradient would be a 784-wide product for nothing.
    ((Linear) layers.get(0)).withoutInputGradient();
    return new Sequential(layers);
  }

  private static Sequential mlpDecoder(VaeConfig c, Params p) {
    List<Layer> layers = new ArrayList<>();
    int in = c.latent();
    for (int i = c.hidden().size() - 1; i >= 0; i--) {
      layers.add(linear(p, "decoder." + layers.size(), in, c.hidden().get(i)));
      layers.add(Activation.relu());
      in = c.hidden().get(i);
    }
    layers.add(linear(p, "decoder." + layers.size(), in, outputsPerPixel(c) * c.inputSize()));
    return new Sequential(layers);
  }

  private static Sequential convEncoder(VaeConfig c, Params p) {
    List<Layer> layers = new ArrayList<>();
    int in = c.channels();
    for (int channels : c.hidden()) {
      layers.add(conv(p, "encoder." + layers.size(), in, channels));
      layers.add(Activation.relu());
      in = channels;
    }
    ((Conv2d) layers.get(0)).withoutInputGradient();
    layers.add(Reshape.flatten());
    layers.add(linear(p, "encoder." + layers.size(), flatWidth(c), 2 * c.latent()));
    return new Sequential(layers);
  }

  private static Sequential convDecoder(VaeConfig c, Params p) {
    List<Integer> ch = c.hidden();
    int f = 1 << ch.size();
    int deepest = ch.get(ch.size() - 1);
    List<Layer> layers = new ArrayList<>();
    layers.add(linear(p, "decoder.0", c.latent(), flatWidth(c)));
    layers.add(Activation.relu());
    layers.add(Reshape.to(deepest, c.height() / f, c.width() / f));
    int in = deepest;
    for (int i = ch.size() - 2; i >= 0; i--) {
      layers.add(deconv(p, "decoder." + layers.size(), in, ch.get(i)));
      layers.add(Activation.relu());
      in = ch.get(i);
    }
    layers.add(deconv(p, "decoder." + layers.size(), in, outputsPerPixel(c) * c.channels()));
    return new Sequential(layers);
  }

  /** PyTorch's default linear layer: weights and bias uniform on +-1/sqrt(in). */
  private static Linear linear(Params p, String name, int in, int out) {
    return new Linear(p, name, in, out, true);
  }

  /** A stride-2 4x4 convolution that halves the image: PyTorch's default weights, zero bias (as before the ops). */
  private static Conv2d conv(Params p, String name, int in, int out) {
    return new Conv2d(p, name, in, out, 4, 2, 1, true, Init.fanInUniform(in * 16), Init.zeros());
  }

  /** A stride-2 4x4 transposed convolution that doubles the image (fan-in from its output channels, as PyTorch). */
  private static ConvTranspose2d deconv(Params p, String name, int in, int out) {
    return new ConvTranspose2d(p, name, in, out, 4, 2, 1, true, Init.fanInUniform(out * 16), Init.zeros());
  }

  /** The conv encoder's output size per image: the deepest channels at the smallest resolution. */
  private static int flatWidth(VaeConfig c) {
    int f = 1 << c.hidden().size();
    return c.hidden().get(c.hidden().size() - 1) * (c.height() / f) * (c.width() / f);
  }

  /** 2 when the decoder gives a log-variance per pixel besides its mean, else 1. */
  private static int outputsPerPixel(VaeConfig c) {
    return c.likelihood() == VaeConfig.Likelihood.GAUSSIAN_LEARNED ? 2 : 1;
  }

  /** The two terms of the negative ELBO, each this shard's part of the batch's mean per image, in nats. */
  record Elbo(double reconstruction, double kl) {}

  /** What the forward pass computes: the posterior's parameters and the decoder's output for a z drawn from them. */
  private record Pass(Tensor posterior, Tensor output) {}

  /** The forward pass over images {@code x} ({@link #input}'s shape). In training the ops keep what {@link #backward} needs. */
  private Pass pass(StepContext ctx, Tensor x) {
    Tensor h = encoder.forward(ctx, x);       // [N, 2Z]: mu, then logvar
    Tensor z = sample.forward(ctx, h);        // mu + exp(logvar / 2) eps
    Tensor out = decoder.forward(ctx, z);     // logits, means, or means then log-variances
    return new Pass(h, out);
  }

  /** The forward pass and the negative ELBO's terms. */
  Elbo forward(StepContext ctx, Tensor x) {
    Pass p = pass(ctx, x);
    return new Elbo(reconstruction(ctx, p.output(), x), kl.forward(ctx, p.posterior()));
  }

  /** The gradients of {@code scale (reconstruction + klWeight kl)}, added to the parameters' gradients. */
  void backward(StepContext ctx, float scale, float klWeight) {
    Tensor dOut = bernoulli != null ? bernoulli.backward(ctx, scale) : gaussian.backward(ctx, scale);
    Tensor dh = sample.backward(ctx, decoder.backward(ctx, dOut));
    kl.addGradient(ctx, scale * klWeight, dh);
    encoder.backward(ctx, dh);
  }

  /** A training step on a batch (or a shard of one): forward, loss, backward. */
  StepLoss trainStep(Batch batch, StepContext ctx) {
    Tensor x = input(batch.get("x"));
    double w = config.klWeight(ctx.step());
    Elbo e = forward(ctx, x);
    backward(ctx, 1f, (float) w);
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("recon", e.reconstruction());
    metrics.put("kl", e.kl());
    if (config.klWarmupSteps() > 0) {
      // Shards' metrics add up: each reports the weight times its share of the batch.
      metrics.put("kl_weight", w * x.rows() / ctx.allReduceSum(x.rows()));
    }
    return new StepLoss(e.reconstruction() + w * e.kl(), metrics);
  }

  /** -log p(x|z), this shard's part of the batch's mean. */
  private double reconstruction(StepContext ctx, Tensor out, Tensor x) {
    return bernoulli != null ? bernoulli.forward(ctx, out, x) : gaussian.forward(ctx, out, x);
  }

  /** Copies images (any array of {@code N * D} values) into this copy's input, shaped for the encoder. */
  Tensor input(INDArray x) {
    int n = Math.toIntExact(x.size(0));
    images = config.arch() == VaeConfig.Arch.MLP
        ? Tensor.ensure(images, n, config.inputSize())
        : Tensor.ensure(images, n, config.channels(), config.height(), config.width());
    images.copyFrom(x);
    return images;
  }

  // ---- inference ----

  /** The copies of this model that threads run on (copy 0 is this one), for training and inference alike. */
  synchronized Replicas<Vae> replicas() {
    if (replicas == null) {
      replicas = new Replicas<>(this, params, p -> new Vae(config, p));
    }
    return replicas;
  }

  /** What one block of rows {@code [from, to)} computes, on one copy of the model. */
  @FunctionalInterface
  private interface Rows {
    void run(Vae copy, int from, int to);
  }

  /**
   * Runs {@code work} over rows {@code [0, n)} in blocks of {@code rows}, spread over up to {@code
   * threads} copies of the model at once (0: one per core when ND4J runs single-threaded). Every
   * row's noise depends on its row number only, so the results do not depend on the threads.
   */
  private void inBlocks(int n, int rows, int threads, Rows work) {
    int blocks = (n + rows - 1) / rows;
    int t = Math.max(1, Math.min(threads > 0 ? threads : Parallel.defaultThreads(), blocks));
    Parallel.of(t).run(t, s -> {
      Vae copy = replicas().get(s);
      for (int b = s; b < blocks; b += t) {
        work.run(copy, b * rows, Math.min(n, (b + 1) * rows));
      }
    });
  }

  /** The posterior's parameters for {@code images} [N, C, H, W]: [N, 2Z], mu then logvar per row. */
  INDArray posterior(INDArray images) {
    INDArray x = flatten(images, "images");
    int n = Math.toIntExact(x.size(0));
    INDArray out = Nd4j.create(DataType.FLOAT, n, 2L * config.latent());
    inBlocks(n, INFERENCE_ROWS, 0, (copy, s, e) -> {
      Tensor h = copy.encoder.forward(StepContext.inference(), copy.input(rows(x, s, e)));
      rows(out, s, e).assign(h.array());
    });
    return out;
  }

  /** The posterior means of q(z|x) for {@code images} [N, C, H, W]: [N, latent]. */
  public INDArray encodeMean(INDArray images) {
    return posterior(images).get(NDArrayIndex.all(), NDArrayIndex.interval(0, config.latent())).dup('c');
  }

  /** The pixel means of p(x|z) for latent codes {@code z} [N, latent], as images [N, C, H, W] clipped to [0, 1]. */
  public INDArray decode(INDArray z) {
    if (z == null || z.rank() != 2 || z.size(1) != config.latent()) {
      throw new IllegalArgumentException("latent codes must be [N, " + config.latent() + "], got "
          + (z == null ? "null" : Arrays.toString(z.shape())));
    }
    int n = Math.toIntExact(z.size(0));
    int d = config.inputSize();
    INDArray out = Nd4j.create(DataType.FLOAT, n, d);
    inBlocks(n, INFERENCE_ROWS, 0, (copy, s, e) -> rows(out, s, e).assign(copy.pixelMeans(rows(z, s, e))));
    Transforms.min(Transforms.max(out, 0.0, false), 1.0, false);
    return out.reshape('c', n, config.channels(), config.height(), config.width());
  }

  /** The decoder's pixel means for a block of latent codes: [rows, D] (a view of this copy's buffers). */
  private INDArray pixelMeans(INDArray z) {
    StepContext ctx = StepContext.inference();
    latents = Tensor.ensure(latents, Math.toIntExact(z.size(0)), config.latent());
    latents.copyFrom(z);
    Tensor decoded = decoder.forward(ctx, latents);
    Tensor means = bernoulli != null ? probabilities.forward(ctx, decoded) : decoded;
    // Learned variances: each row is D means, then D log-variances.
    INDArray perRow = means.array().reshape('c', z.size(0), means.length() / z.size(0));
    return perRow.get(NDArrayIndex.all(), NDArrayIndex.interval(0, config.inputSize()));
  }

  /** Reconstructions: the decoder's pixel means at the posterior mean of each image. */
  public INDArray reconstruct(INDArray images) {
    return decode(encodeMean(images));
  }

  /** {@code n} new images from the prior: z ~ N(0, I) drawn from {@code seed}, decoded to pixel means in [0, 1]. */
  public INDArray sample(int n, long seed) {
    if (n < 1) {
      throw new IllegalArgumentException("number of samples must be >= 1, got " + n);
    }
    Random rng = new Random(seed);
    float[] z = new float[n * config.latent()];
    for (int i = 0; i < z.length; i++) {
      z[i] = (float) rng.nextGaussian();
    }
    return decode(Nd4j.create(z, new long[] {n, config.latent()}, DataType.FLOAT));
  }

  /**
   * Per-image reconstruction NLL and KL (the negative ELBO with beta 1), one z drawn per image
   * from {@code seed}: the same forward pass as training, in inference. Higher means the model
   * finds the image less likely (an anomaly score).
   */
  public PerImage score(INDArray images, long seed) {
    return score(images, seed, 0);
  }

  /** As {@link #score(INDArray, long)}, on up to {@code threads} threads (0: the default). */
  PerImage score(INDArray images, long seed, int threads) {
    INDArray x = flatten(images, "images");
    int n = Math.toIntExact(x.size(0));
    double[] recon = new double[n];
    double[] kls = new double[n];
    inBlocks(n, INFERENCE_ROWS, threads, (copy, s, e) -> copy.score(rows(x, s, e), seed, s, recon, kls));
    return new PerImage(recon, kls);
  }

  /** Scores images {@code x} that are rows {@code first...} of an evaluation into {@code recon} and {@code kls}. */
  private void score(INDArray x, long seed, int first, double[] recon, double[] kls) {
    Tensor xs = input(x);
    Pass p = pass(evaluation(seed, first), xs);
    // The loss ops average over their rows: one row at a time gives each image's sum.
    StepContext one = StepContext.inference();
    for (int r = 0; r < xs.rows(); r++) {
      recon[first + r] = reconstruction(one, p.output().rowRange(r, r + 1), xs.rowRange(r, r + 1));
      kls[first + r] = kl.forward(one, p.posterior().rowRange(r, r + 1));
    }
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
   * The log importance weights {@code log p(x|z_j) + log p(z_j) - log q(z_j|x)} of {@code k}
   * samples z_j ~ q(z|x) per image: [N][k], on up to {@code threads} threads (0: the default).
   * Each image is encoded once; its posterior row is repeated k times for the sample and the
   * decoder. Advances {@code progress} by the images done.
   */
  double[][] logImportanceWeights(INDArray images, int k, long seed, int threads, Progress progress) {
    INDArray x = flatten(images, "images");
    int n = Math.toIntExact(x.size(0));
    double[][] out = new double[n][];
    inBlocks(n, Math.max(1, INFERENCE_ROWS / k), threads, (copy, s, e) -> {
      copy.logImportanceWeights(rows(x, s, e), k, seed, s, out);
      synchronized (progress) {
        progress.advance(e - s);
      }
    });
    return out;
  }

  /** The log importance weights of images {@code x}, rows {@code first...} of the evaluation, into {@code out}. */
  private void logImportanceWeights(INDArray x, int k, long seed, int first, double[][] out) {
    // The forward pass with each image's posterior repeated k times between the encoder and the sample.
    StepContext one = StepContext.inference();
    Tensor xs = input(x);
    Tensor h = encoder.forward(one, xs);
    int m = xs.rows();
    repeated = Tensor.ensure(repeated, m * k, h.dim(1));
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < k; j++) {
        repeated.rowRange(i * k + j, i * k + j + 1).copyFrom(h.rowRange(i, i + 1));
      }
    }
    // Row i*k + j of the whole evaluation draws its own noise: image i's sample j.
    StepContext ctx = evaluation(seed, first * k);
    Tensor decoded = decoder.forward(ctx, sample.forward(ctx, repeated));
    double[] priorOverPosterior = sample.logPriorOverPosterior();
    for (int i = 0; i < m; i++) {
      Tensor image = xs.rowRange(i, i + 1);
      double[] w = new double[k];
      for (int j = 0; j < k; j++) {
        int q = i * k + j;
        w[j] = priorOverPosterior[q] - reconstruction(one, decoded.rowRange(q, q + 1), image);
      }
      out[first + i] = w;
    }
  }

  /** An inference pass whose noise is that of rows {@code firstRow...} of an evaluation seeded with {@code seed}. */
  static StepContext evaluation(long seed, int firstRow) {
    return new StepContext(seed, 0, 0, false, 0, 1, firstRow, new ShardExchange(1));
  }

  /** Images [N, C, H, W] (or already flat [N, D]) as [N, D]; a one-line error for another shape. */
  INDArray flatten(INDArray images, String what) {
    if (images == null) {
      throw new IllegalArgumentException(what + " is null");
    }
    long[] s = images.shape();
    boolean nchw = images.rank() == 4 && s[1] == config.channels() && s[2] == config.height() && s[3] == config.width();
    boolean flat = images.rank() == 2 && s[1] == config.inputSize();
    if (!nchw && !flat) {
      throw new IllegalArgumentException(what + " must be [N, " + config.channels() + ", " + config.height() + ", "
          + config.width() + "] for this VAE, got " + Arrays.toString(s));
    }
    return images.reshape('c', s[0], config.inputSize());
  }

  /** Rows {@code [from, to)} of a matrix, as a view. */
  private static INDArray rows(INDArray x, long from, long to) {
    return x.get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
  }
}
