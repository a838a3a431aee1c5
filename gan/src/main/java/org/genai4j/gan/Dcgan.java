package org.genai4j.gan;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.genai4j.common.nn.ConvLayers;
import org.genai4j.common.train.Batch;
import org.genai4j.common.train.Checkpoint;
import org.genai4j.common.train.ParameterGroup;
import org.genai4j.common.train.Trainable;
import org.genai4j.common.train.Trainer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A DCGAN: generator and discriminator as two parameter groups for the common {@link Trainer},
 * stepped discriminator first. Both read a {@link Batch} with {@code "real"} images {@code [N, C,
 * H, W]} scaled to [-1, 1] and the noise {@code "z"} {@code [N, latent]}; see {@link GanBatches}.
 *
 * <ul>
 *   <li>Discriminator step: binary cross-entropy with logits (stable form) on the real batch
 *       (target {@link DcganConfig#realLabel()}) plus on G(z) (target 0); gradients for D only.
 *   <li>Generator step: the non-saturating loss -log D(G(z)) through the discriminator as just
 *       updated; gradients are requested for G's parameters only, so D does not change.
 * </ul>
 *
 * <p>Three SameDiff graphs share the same parameter arrays: the discriminator step's, the
 * generator step's (both with batch norm on batch statistics) and an inference graph (batch norm on
 * running statistics, which are the groups' buffers and saved in checkpoints).
 */
public final class Dcgan implements Trainable {

  static final String REAL = "real";
  static final String Z = "z";
  private static final String LOSS_D = "lossD";
  private static final String LOSS_G = "lossG";
  static final String D_REAL = "d_real";
  static final String D_FAKE = "d_fake";
  private static final String IMAGE = "image";
  private static final String LOGIT = "logit";
  private static final int GENERATE_CHUNK = 500;

  private final DcganConfig config;
  private final SameDiff dGraph;
  private final SameDiff gGraph;
  private final SameDiff inference;
  private final GanGroup discriminator;
  private final GanGroup generator;
  /** The hand-written steps over the same arrays; null when the parameters are not FLOAT. */
  private final FastGanGroup fastDiscriminator;
  private final FastGanGroup fastGenerator;
  private final DcganKernel kernel;
  private boolean fastStep;

  /** A new DCGAN with DCGAN's initialization drawn from ND4J's generator seeded with {@code seed}. */
  public Dcgan(DcganConfig config, long seed) {
    this.config = config;
    Nd4j.getRandom().setSeed(seed);
    List<DcganNetworks.BnStats> dStats = new ArrayList<>();
    List<DcganNetworks.BnStats> gStats = new ArrayList<>();
    dGraph = buildDiscriminatorStep(dStats);
    gGraph = buildGeneratorStep(gStats);
    inference = buildInference();
    initBatchNormGains();
    ConvLayers.shareVariables(dGraph, gGraph);
    ConvLayers.shareVariables(dGraph, inference);
    discriminator = new GanGroup("D", dGraph, LOSS_D, List.of(D_REAL, D_FAKE), dStats, inference);
    generator = new GanGroup("G", gGraph, LOSS_G, List.of(D_FAKE), gStats, inference);
    if (DcganKernel.supports(discriminator.parameters(), generator.parameters())) {
      kernel = new DcganKernel(config, discriminator.parameters(), generator.parameters());
      fastDiscriminator = new FastGanGroup(discriminator, kernel, true);
      fastGenerator = new FastGanGroup(generator, kernel, false);
    } else {
      kernel = null;
      fastDiscriminator = null;
      fastGenerator = null;
    }
    fastStep = fastDiscriminator != null;
  }

  /**
   * Chooses the hand-written training step ({@link DcganKernel}, the default) or the SameDiff
   * graphs' (for comparisons and benchmarks). Both compute the same losses and gradients over the
   * same arrays. Takes effect for the groups returned afterwards.
   */
  void useFastStep(boolean fast) {
    if (fast && fastDiscriminator == null) {
      throw new IllegalStateException("the hand-written DCGAN step needs FLOAT parameters");
    }
    this.fastStep = fast;
  }

  /** The hand-written step's kernel (for its timers), or null. */
  DcganKernel kernel() {
    return kernel;
  }

  /** The SameDiff groups, whichever step is in use (for tests comparing the two). */
  ParameterGroup sameDiffGroup(boolean discriminatorGroup) {
    return discriminatorGroup ? discriminator : generator;
  }

  /** The hand-written groups, or null when the parameters are not FLOAT. */
  ParameterGroup fastGroup(boolean discriminatorGroup) {
    return discriminatorGroup ? fastDiscriminator : fastGenerator;
  }

  private SameDiff buildDiscriminatorStep(List<DcganNetworks.BnStats> dStats) {
    SameDiff sd = SameDiff.create();
    SDVariable real = imagePlaceholder(sd, REAL);
    SDVariable z = sd.placeHolder(Z, DataType.FLOAT, -1, config.latentSize());
    SDVariable fake = DcganNetworks.generator(sd, config, z, true, null);
    // The real pass's statistics feed D's running averages; the generated pass has its own batch norm statistics.
    SDVariable logitReal = DcganNetworks.discriminator(sd, config, real, true, dStats);
    SDVariable logitFake = DcganNetworks.discriminator(sd, config, fake, true, null);
    AdversarialLoss.discriminator(sd, logitReal, logitFake, config.realLabel()).rename(LOSS_D);
    sd.nn.sigmoid(logitReal).mean().rename(D_REAL);
    sd.nn.sigmoid(logitFake).mean().rename(D_FAKE);
    sd.setLossVariables(LOSS_D);
    return sd;
  }

  private SameDiff buildGeneratorStep(List<DcganNetworks.BnStats> gStats) {
    SameDiff sd = SameDiff.create();
    SDVariable z = sd.placeHolder(Z, DataType.FLOAT, -1, config.latentSize());
    SDVariable fake = DcganNetworks.generator(sd, config, z, true, gStats).rename("fake");
    SDVariable logitFake = DcganNetworks.discriminator(sd, config, fake, true, null);
    AdversarialLoss.generator(sd, logitFake).rename(LOSS_G);
    sd.nn.sigmoid(logitFake).mean().rename(D_FAKE);
    sd.setLossVariables(LOSS_G);
    return sd;
  }

  private SameDiff buildInference() {
    SameDiff sd = SameDiff.create();
    SDVariable z = sd.placeHolder(Z, DataType.FLOAT, -1, config.latentSize());
    DcganNetworks.generator(sd, config, z, false, null).rename(IMAGE);
    DcganNetworks.discriminator(sd, config, imagePlaceholder(sd, REAL), false, null).rename(LOGIT);
    return sd;
  }

  private SDVariable imagePlaceholder(SameDiff sd, String name) {
    return sd.placeHolder(name, DataType.FLOAT, -1, config.channels(), config.imageSize(), config.imageSize());
  }

  /** DCGAN initializes batch-norm gains from N(1, 0.02^2). */
  private void initBatchNormGains() {
    for (SDVariable v : dGraph.variables()) {
      if (v.getVariableType() == VariableType.VARIABLE && v.name().endsWith("/gamma")) {
        v.getArr().addi(Nd4j.randn(DataType.FLOAT, v.getArr().shape()).muli(ConvLayers.DCGAN_STD));
      }
    }
  }

  /** The discriminator step's, generator step's and inference graphs (for profiling). */
  List<SameDiff> graphs() {
    return List.of(dGraph, gGraph, inference);
  }

  public DcganConfig config() {
    return config;
  }

  /** The discriminator's group (stepped first). */
  public ParameterGroup discriminator() {
    return fastStep ? fastDiscriminator : discriminator;
  }

  /** The generator's group. */
  public ParameterGroup generator() {
    return fastStep ? fastGenerator : generator;
  }

  @Override
  public List<ParameterGroup> parameterGroups() {
    return List.of(discriminator(), generator());
  }

  @Override
  public String configJson() {
    return config.toJson();
  }

  /**
   * {@code n} images {@code [n, C, H, W]} in [0, 1] from noise drawn with {@code seed} (the same
   * seed gives the same images), with batch norm on running statistics.
   */
  public INDArray generate(int n, long seed) {
    if (n < 1) {
      throw new IllegalArgumentException("number of images to generate must be >= 1, got " + n);
    }
    return generateFrom(noise(n, config.latentSize(), seed));
  }

  /** Images in [0, 1] for the given noise {@code [n, latent]}. */
  public INDArray generateFrom(INDArray z) {
    if (z.rank() != 2 || z.size(1) != config.latentSize()) {
      throw new IllegalArgumentException("noise must have shape [n, " + config.latentSize() + "], got "
          + java.util.Arrays.toString(z.shape()));
    }
    List<INDArray> parts = new ArrayList<>();
    for (long from = 0; from < z.size(0); from += GENERATE_CHUNK) {
      long to = Math.min(z.size(0), from + GENERATE_CHUNK);
      INDArray chunk = z.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to)).dup();
      parts.add(inference.output(Map.of(Z, chunk.castTo(DataType.FLOAT)), IMAGE).get(IMAGE));
    }
    INDArray img = parts.size() == 1 ? parts.get(0) : Nd4j.concat(0, parts.toArray(new INDArray[0]));
    return img.add(1).divi(2);
  }

  /** The discriminator's probability that each image {@code [N, C, H, W]} in [0, 1] is real (running statistics). */
  public INDArray discriminate(INDArray images01) {
    INDArray x = images01.castTo(DataType.FLOAT).mul(2).subi(1);
    INDArray logit = inference.output(Map.of(REAL, x), LOGIT).get(LOGIT);
    return org.nd4j.linalg.ops.transforms.Transforms.sigmoid(logit, false);
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

  /**
   * Loads a trained model from a run directory (its {@code last.ckpt}) or from a checkpoint file;
   * clear errors for a missing directory or a checkpoint of another model.
   */
  public static Dcgan load(Path runDirOrCheckpoint) {
    Path file = org.genai4j.common.train.Checkpoint.exists(runDirOrCheckpoint) ? runDirOrCheckpoint : runDirOrCheckpoint.resolve(Trainer.LAST);
    if (!Files.exists(file)) {
      throw new IllegalArgumentException("no DCGAN checkpoint at " + file.toAbsolutePath()
          + " (expected a run directory written by gan train, holding " + Trainer.LAST + ")");
    }
    Checkpoint c = Checkpoint.read(file);
    DcganConfig cfg;
    try {
      cfg = DcganConfig.fromJson(c.configJson());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("checkpoint " + file + " is not a DCGAN checkpoint: " + e.getMessage(), e);
    }
    Dcgan model = new Dcgan(cfg, c.seed());
    c.restoreInto(model);
    return model;
  }
}
