package org.genai4j.gan;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.genai4j.common.ops.Activation;
import org.genai4j.common.ops.BatchNorm;
import org.genai4j.common.ops.ConcatRows;
import org.genai4j.common.ops.Conv2d;
import org.genai4j.common.ops.ConvTranspose2d;
import org.genai4j.common.ops.Init;
import org.genai4j.common.ops.Layer;
import org.genai4j.common.ops.Linear;
import org.genai4j.common.ops.Param;
import org.genai4j.common.ops.Params;
import org.genai4j.common.ops.Reshape;
import org.genai4j.common.ops.SigmoidCrossEntropy;
import org.genai4j.common.ops.StepContext;
import org.genai4j.common.ops.Tensor;
import org.genai4j.common.train.Batch;
import org.genai4j.common.train.Checkpoint;
import org.genai4j.common.train.RunDir;
import org.genai4j.common.train.StepLoss;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A DCGAN (Radford et al. 2015), written once from genai4j's ops: the {@link Generator} and the
 * {@link Discriminator} below serve training ({@link #discriminatorStep}, {@link #generatorStep},
 * stepped by the common Trainer through {@link DcganTrainable}), sampling ({@link #generate}), the
 * per-epoch grids and FID.
 *
 * <p>Parameters are named as in a PyTorch state dict: {@code generator.project.weight}, {@code
 * generator.bn0.running_mean}, ..., {@code discriminator.down1.weight}, ..., {@code
 * discriminator.logit.bias}. Weights are drawn from N(0, 0.02), batch-norm gains from N(1, 0.02),
 * biases are zero (DCGAN's initialization).
 *
 * <p>A training step, as PyTorch's DCGAN example does it:
 * <ul>
 *   <li><b>D step</b>: G(z) with batch statistics (G's running statistics take this pass's
 *       statistics), then D once on {@code [real; fake]} stacked, each half with its own batch
 *       statistics (D's running statistics take the real half's only); loss = mean BCE of the real
 *       logits against {@link DcganConfig#realLabel()} + mean BCE of the generated ones against 0.
 *       D's first layer computes no input gradient: the images are data here.
 *   <li><b>G step</b>: D (frozen by the harness) on the generated images, batch statistics of
 *       those alone, running statistics left alone; the non-saturating loss, mean BCE against 1;
 *       the gradient flows through D's input into G.
 * </ul>
 * <b>Reusing the generator's pass.</b> The G step reuses the generated images (and G's activations)
 * of this replica's D step instead of running G again when that pass is exactly what G would
 * compute now: the same noise rows, the same step and rows of the batch, and G's parameters
 * bit-for-bit unchanged since then (within a Trainer step they are: only D's optimizer ran in
 * between). Then G's batch statistics, and so its running statistics, are those of one pass per
 * step, as in PyTorch. Otherwise (G changed, other noise, no D step before) the G step runs G
 * again, which also updates G's running statistics. Every shard of a batch decides alike.
 */
public final class Dcgan {

  /** The batch's real images {@code [N, C, H, W]} in [-1, 1] ({@link GanBatches}). */
  public static final String REAL = "real";
  /** The batch's noise {@code [N, latent]}. */
  public static final String Z = "z";
  /** The prefix of every generator parameter and buffer name. */
  public static final String GENERATOR = "generator.";
  /** The prefix of every discriminator parameter and buffer name. */
  public static final String DISCRIMINATOR = "discriminator.";
  static final String D_REAL = "d_real";
  static final String D_FAKE = "d_fake";
  static final double LEAKY_SLOPE = 0.2;
  private static final Init WEIGHTS = Init.normal(0.02);
  private static final Init GAINS = Init.normal(1, 0.02);
  /** Images per generator call when sampling (bounds the activations' memory at size 64). */
  private static final int GENERATE_CHUNK = 256;

  private final DcganConfig config;
  private final Params params;
  private final Generator generator;
  private final Discriminator discriminator;
  private final ConcatRows realAndFake = new ConcatRows();
  private final SigmoidCrossEntropy bce = new SigmoidCrossEntropy();
  private final List<Param> generatorParams = new ArrayList<>();
  private final GeneratorPass pass = new GeneratorPass();
  private Tensor real;
  private Tensor noise;
  private Tensor noiseNow;
  private Tensor targets;
  private Tensor fake;

  /** A new DCGAN, initialized from {@code seed}. */
  public Dcgan(DcganConfig config, long seed) {
    this(config, Params.init(seed));
  }

  /** The DCGAN on {@code params}: fresh ({@link Params#init}), for loading, or a shard's replica. */
  public Dcgan(DcganConfig config, Params params) {
    this.config = config;
    this.params = params;
    this.generator = new Generator(config, params);
    this.discriminator = new Discriminator(config, params);
    for (Param p : params.list()) {
      if (p.name().startsWith(GENERATOR)) {
        generatorParams.add(p);
      }
    }
  }

  /** G: noise {@code [N, latent]} to images {@code [N, C, H, W]} in [-1, 1]. */
  public static final class Generator implements Layer {
    private final Linear project;
    private final Reshape toMaps;
    private final BatchNorm projectNorm;
    private final List<ConvTranspose2d> ups = new ArrayList<>();
    private final List<BatchNorm> upNorms = new ArrayList<>();
    private final ConvTranspose2d toImage;
    private final Activation tanh = Activation.tanh();

    /**
     * z -> linear (no bias) to {@code start x start x (base 2^(stages-1))}, BN, ReLU; then
     * transposed convolutions (kernel 4, stride 2, padding 1) that double the size and halve the
     * channels, each with BN and ReLU; the last one to the image's channels, with bias, and tanh.
     */
    Generator(DcganConfig c, Params p) {
      int size = c.startSize();
      int ch = c.baseFeatures() << (c.stages() - 1);
      project = new Linear(p, GENERATOR + "project", c.latentSize(), ch * size * size, false, WEIGHTS, Init.zeros())
          .withoutInputGradient();
      toMaps = Reshape.to(ch, size, size);
      projectNorm = new BatchNorm(p, GENERATOR + "bn0", ch, GAINS, Init.zeros()).withRelu();
      for (int i = 1; i < c.stages(); i++) {
        ups.add(new ConvTranspose2d(p, GENERATOR + "up" + i, ch, ch / 2, 4, 2, 1, false, WEIGHTS, Init.zeros()));
        ch /= 2;
        upNorms.add(new BatchNorm(p, GENERATOR + "bn" + i, ch, GAINS, Init.zeros()).withRelu());
      }
      toImage = new ConvTranspose2d(p, GENERATOR + "up" + c.stages(), ch, c.channels(), 4, 2, 1, true, WEIGHTS,
          Init.zeros());
    }

    @Override
    public Tensor forward(StepContext ctx, Tensor z) {
      Tensor h = projectNorm.forward(ctx, toMaps.forward(ctx, project.forward(ctx, z)));
      for (int i = 0; i < ups.size(); i++) {
        h = upNorms.get(i).forward(ctx, ups.get(i).forward(ctx, h));
      }
      return tanh.forward(ctx, toImage.forward(ctx, h));
    }

    /** Adds G's gradients; returns null (the noise is data). */
    @Override
    public Tensor backward(StepContext ctx, Tensor dImages) {
      Tensor d = toImage.backward(ctx, tanh.backward(ctx, dImages));
      for (int i = ups.size() - 1; i >= 0; i--) {
        d = ups.get(i).backward(ctx, upNorms.get(i).backward(ctx, d));
      }
      return project.backward(ctx, toMaps.backward(ctx, projectNorm.backward(ctx, d)));
    }
  }

  /** D: images {@code [N, C, H, W]} in [-1, 1] to one logit per image, {@code [N, 1]}. */
  public static final class Discriminator implements Layer {
    private final Conv2d fromImage;
    private final Activation leaky = Activation.leakyRelu(LEAKY_SLOPE);
    private final List<Conv2d> downs = new ArrayList<>();
    private final List<BatchNorm> downNorms = new ArrayList<>();
    private final Reshape flatten = Reshape.flatten();
    private final Linear logit;

    /**
     * G mirrored: a strided convolution (kernel 4, stride 2, padding 1) with bias and leaky ReLU
     * (0.2) that halves the size; then strided convolutions that double the channels, each with BN
     * and leaky ReLU; a linear layer from the flattened last map to the logit.
     */
    Discriminator(DcganConfig c, Params p) {
      int size = c.imageSize() / 2;
      int ch = c.baseFeatures();
      fromImage = new Conv2d(p, DISCRIMINATOR + "down1", c.channels(), ch, 4, 2, 1, true, WEIGHTS, Init.zeros());
      for (int i = 2; i <= c.stages(); i++) {
        size /= 2;
        downs.add(new Conv2d(p, DISCRIMINATOR + "down" + i, ch, ch * 2, 4, 2, 1, false, WEIGHTS, Init.zeros()));
        ch *= 2;
        downNorms.add(new BatchNorm(p, DISCRIMINATOR + "bn" + i, ch, GAINS, Init.zeros()).withLeakyRelu(LEAKY_SLOPE));
      }
      logit = new Linear(p, DISCRIMINATOR + "logit", ch * size * size, 1, true, WEIGHTS, Init.zeros());
    }

    @Override
    public Tensor forward(StepContext ctx, Tensor images) {
      Tensor h = leaky.forward(ctx, fromImage.forward(ctx, images));
      for (int i = 0; i < downs.size(); i++) {
        h = downNorms.get(i).forward(ctx, downs.get(i).forward(ctx, h));
      }
      return logit.forward(ctx, flatten.forward(ctx, h));
    }

    /** Adds D's gradients (those not frozen); returns the images' gradient, or null in D's own step. */
    @Override
    public Tensor backward(StepContext ctx, Tensor dLogits) {
      Tensor d = flatten.backward(ctx, logit.backward(ctx, dLogits));
      for (int i = downs.size() - 1; i >= 0; i--) {
        d = downs.get(i).backward(ctx, downNorms.get(i).backward(ctx, d));
      }
      return fromImage.backward(ctx, leaky.backward(ctx, d));
    }

    /**
     * For D's own step: the input is {@code [real; fake]} (each shard stacks its own rows), each
     * half normalized by its own batch statistics, the running statistics from the real half; no
     * gradient for the images.
     */
    void onRealAndFake() {
      fromImage.setInputGradient(false);
      for (BatchNorm bn : downNorms) {
        bn.segments(2).runningStatisticsFrom(0).setRunningStatisticsUpdate(true);
      }
    }

    /** For G's step: generated images alone, running statistics left as D's step set them, the images' gradient for G. */
    void onFakeForGenerator() {
      fromImage.setInputGradient(true);
      for (BatchNorm bn : downNorms) {
        bn.segments(1).setRunningStatisticsUpdate(false);
      }
    }
  }

  // ---- training ----

  /**
   * D's step on this shard's rows of {@code batch} ({@link #REAL}, {@link #Z}): adds D's gradients,
   * returns this shard's part of the loss and of the means of D(x) ({@code d_real}) and D(G(z))
   * ({@code d_fake}).
   */
  public StepLoss discriminatorStep(Batch batch, StepContext ctx) {
    int n = batch.examples();
    double images = ctx.allReduceSum(n);
    Tensor generated = runGenerator(ctx, batch);
    real = copyIn(real, batch.get(REAL));
    discriminator.onRealAndFake();
    Tensor logits = discriminator.forward(ctx, realAndFake.forward(ctx, real, generated));
    // The BCE averages over all 2N rows; twice that is mean(real) + mean(fake).
    double loss = 2 * bce.forward(ctx, logits, targets(n));
    discriminator.backward(ctx, bce.backward(ctx, 2f));
    float[] l = logits.toArray();
    return new StepLoss(loss, Map.of(D_REAL, sumOfSigmoids(l, 0, n) / images,
        D_FAKE, sumOfSigmoids(l, n, 2 * n) / images));
  }

  /**
   * G's step on this shard's rows of {@code batch} (D frozen): adds G's gradients, returns this
   * shard's part of the non-saturating loss and of the mean of D(G(z)) ({@code d_fake}). Reuses the
   * D step's generator pass when it is what G would compute now (see the class comment).
   */
  public StepLoss generatorStep(Batch batch, StepContext ctx) {
    int n = batch.examples();
    noiseNow = copyIn(noiseNow, batch.get(Z));
    boolean same = fake != null && pass.matches(ctx, noiseNow, ctx.shard() == 0 ? generatorParams : List.of());
    // Every shard must reuse or rerun alike: a rerun exchanges G's batch-norm sums.
    double[] counts = {n, same ? 0 : 1};
    ctx.allReduceSum(counts);
    Tensor generated = counts[1] == 0 ? fake : runGenerator(ctx, batch);
    discriminator.onFakeForGenerator();
    Tensor logits = discriminator.forward(ctx, generated);
    double loss = bce.forward(ctx, logits, 1f);
    generator.backward(ctx, discriminator.backward(ctx, bce.backward(ctx)));
    return new StepLoss(loss, Map.of(D_FAKE, sumOfSigmoids(logits.toArray(), 0, n) / counts[0]));
  }

  /** G on the batch's noise in training mode, remembered for the G step. */
  private Tensor runGenerator(StepContext ctx, Batch batch) {
    noise = copyIn(noise, batch.get(Z));
    fake = generator.forward(ctx, noise);
    pass.record(ctx, noise, ctx.shard() == 0 ? generatorParams : List.of());
    return fake;
  }

  /** Per-row BCE targets of the stacked batch: the real label for the first n rows, 0 for the next n. */
  private Tensor targets(int n) {
    targets = Tensor.ensure(targets, 2 * n);
    float[] t = new float[2 * n];
    Arrays.fill(t, 0, n, (float) config.realLabel());
    targets.write(0, t, 0, 2 * n);
    return targets;
  }

  private static Tensor copyIn(Tensor t, INDArray a) {
    int[] shape = new int[a.rank()];
    for (int d = 0; d < shape.length; d++) {
      shape[d] = Math.toIntExact(a.size(d));
    }
    Tensor out = Tensor.ensure(t, shape);
    out.copyFrom(a);
    return out;
  }

  private static double sumOfSigmoids(float[] logits, int from, int to) {
    double s = 0;
    for (int i = from; i < to; i++) {
      s += 1 / (1 + Math.exp(-logits[i]));
    }
    return s;
  }

  // ---- sampling ----

  /**
   * {@code n} images {@code [n, C, H, W]} in [0, 1] from noise drawn with {@code seed} (the same
   * seed gives the same images); batch norm on the running statistics.
   */
  public INDArray generate(int n, long seed) {
    if (n < 1) {
      throw new IllegalArgumentException("number of images to generate must be >= 1, got " + n);
    }
    return generateFrom(noise(n, config.latentSize(), seed));
  }

  /** Images in [0, 1] for the given noise {@code [n, latent]}. */
  public INDArray generateFrom(INDArray z) {
    if (z.rank() != 2 || z.size(1) != config.latentSize() || z.size(0) < 1) {
      throw new IllegalArgumentException("noise must have shape [n, " + config.latentSize() + "] with n >= 1, got "
          + Arrays.toString(z.shape()));
    }
    // These modules' activations are about to be overwritten: the D step's pass is gone.
    pass.forget();
    fake = null;
    StepContext ctx = StepContext.inference();
    List<INDArray> parts = new ArrayList<>();
    Tensor chunk = null;
    for (long from = 0; from < z.size(0); from += GENERATE_CHUNK) {
      long to = Math.min(z.size(0), from + GENERATE_CHUNK);
      chunk = copyIn(chunk, z.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()));
      parts.add(generator.forward(ctx, chunk).array().dup().addi(1).divi(2));
    }
    return parts.size() == 1 ? parts.get(0) : Nd4j.concat(0, parts.toArray(new INDArray[0]));
  }

  /** The discriminator's probability that each image {@code [N, C, H, W]} in [0, 1] is real (running statistics). */
  public INDArray discriminate(INDArray images01) {
    long[] want = {config.channels(), config.imageSize(), config.imageSize()};
    if (images01.rank() != 4 || !Arrays.equals(Arrays.copyOfRange(images01.shape(), 1, 4), want)) {
      throw new IllegalArgumentException("images must have shape [N, " + want[0] + ", " + want[1] + ", " + want[2]
          + "], got " + Arrays.toString(images01.shape()));
    }
    Tensor x = Tensor.copyOf(images01.castTo(DataType.FLOAT).mul(2).subi(1));
    INDArray logits = discriminator.forward(StepContext.inference(), x).array().dup();
    return org.nd4j.linalg.ops.transforms.Transforms.sigmoid(logits, false);
  }

  /** Standard normal noise {@code [n, latent]} from a Java generator seeded with {@code seed}. */
  public static INDArray noise(int n, int latent, long seed) {
    Random rng = new Random(seed);
    float[] v = new float[n * latent];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) rng.nextGaussian();
    }
    return Nd4j.create(v, new long[] {n, latent}, 'c');
  }

  // ---- the model as an object ----

  public DcganConfig config() {
    return config;
  }

  /** Parameters and buffers by name. */
  public Params params() {
    return params;
  }

  public Generator generator() {
    return generator;
  }

  public Discriminator discriminator() {
    return discriminator;
  }

  /** Trainable scalars of both networks. */
  public long parameterCount() {
    return params.count();
  }

  /**
   * Loads a trained DCGAN from a run folder (its best checkpoint if any, else the last; {@link
   * RunDir#checkpointToLoad}) or from a checkpoint folder; one-line errors for a missing folder, a
   * checkpoint of another model, or a missing or misshaped tensor (named).
   */
  public static Dcgan load(Path runDirOrCheckpoint) {
    if (!Checkpoint.exists(runDirOrCheckpoint)) {
      return RunDir.loadModel(runDirOrCheckpoint, Dcgan::load);
    }
    Path dir = runDirOrCheckpoint;
    Checkpoint c = Checkpoint.read(dir);
    DcganConfig config;
    try {
      config = DcganConfig.fromJson(c.configJson());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("checkpoint " + dir + " is not a DCGAN checkpoint: " + e.getMessage(), e);
    }
    Dcgan model = new Dcgan(config, Params.forLoading(c.modelValues()));
    c.restoreInto(new DcganTrainable(model));
    return model;
  }
}
