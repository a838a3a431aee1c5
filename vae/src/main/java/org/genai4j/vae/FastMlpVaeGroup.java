package org.genai4j.vae;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.genai4j.common.train.Batch;
import org.genai4j.common.train.Gradients;
import org.genai4j.common.train.StandInGroup;
import org.genai4j.common.train.GradientSum;
import org.genai4j.common.util.Shards;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The MLP VAE's training group computed by {@link MlpVaeKernel} instead of SameDiff. It is the
 * SameDiff {@link VaeGroup} in every other respect: same name, same live parameter arrays, same
 * step buffer, same placeholders (so eps is drawn from ND4J's generator exactly as there) and the
 * same loss and metrics. Checkpoints, evaluation and sampling keep using the SameDiff graph.
 */
final class FastMlpVaeGroup extends StandInGroup {

  private final VaeConfig config;
  private final VaeGroup sameDiff;
  /** One kernel per shard of the batch (they read the same weights, each fills its own gradients). */
  private final List<MlpVaeKernel> kernels = new ArrayList<>();
  private final DataType dtype;
  /** Reused noise array (the kernel copies eps before the next call could overwrite it). */
  private INDArray noise;

  FastMlpVaeGroup(VaeConfig config, VaeGroup sameDiff, DataType dtype) {
    super(sameDiff);
    if (!supports(config)) {
      throw new IllegalArgumentException("the fast VAE step supports MLP configs only, got " + config.arch());
    }
    this.config = config;
    this.sameDiff = sameDiff;
    this.dtype = dtype;
    kernels.add(new MlpVaeKernel(config, sameDiff.parameters(), dtype));
  }

  /** True when the hand-written step computes this config's loss (every MLP likelihood). */
  static boolean supports(VaeConfig config) {
    return config.arch() == VaeConfig.Arch.MLP;
  }

  @Override
  public Gradients computeGradients(Batch batch) {
    // As VaeGroup.placeholders, without the two scalars, and with the noise drawn into a reused
    // array from the same generator (Nd4j.randn(target) draws what Nd4j.randn(shape) would).
    INDArray x = batch.get("x");
    long n = x.size(0);
    x = x.reshape('c', n, config.inputSize()).castTo(dtype);
    INDArray eps = batch.arrays().get("eps");
    if (eps == null) {
      if (noise == null || noise.size(0) != n) {
        noise = Nd4j.create(dtype, n, config.latent());
      }
      eps = Nd4j.randn(noise);
    } else {
      eps = eps.castTo(dtype);
    }
    double w = config.klWeight(sameDiff.currentStep());
    // The batch's rows split over threads; each shard's gradients are already divided by n.
    int shards = Shards.countFor((int) n);
    while (kernels.size() < shards) {
      kernels.add(new MlpVaeKernel(config, sameDiff.parameters(), dtype));
    }
    int[] bounds = Shards.bounds((int) n, shards);
    MlpVaeKernel.Sums[] sums = new MlpVaeKernel.Sums[shards];
    INDArray images = x;
    INDArray noiseRows = eps;
    Shards.run(shards, s -> {
      sums[s] = kernels.get(s).forwardBackward(rowsOf(images, bounds[s], bounds[s + 1]),
          rowsOf(noiseRows, bounds[s], bounds[s + 1]), w, n);
    });
    List<Map<String, INDArray>> grads = new ArrayList<>(shards);
    double reconSum = 0;
    double klTerms = 0;
    for (int s = 0; s < shards; s++) {
      grads.add(kernels.get(s).gradients());
      reconSum += sums[s].recon();
      klTerms += sums[s].klTerms();
    }
    GradientSum.sumInto(grads);
    double recon = reconSum / n;
    double kl = 0.5 * klTerms / n - 0.5 * config.latent();
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("recon", recon);
    metrics.put("kl", kl);
    if (config.klWarmupSteps() > 0) {
      metrics.put("kl_weight", w);
    }
    // Same as VaeGroup: reconSum/N + w/(2N) * klTermSum - w*L/2.
    double loss = recon + w / (2.0 * n) * klTerms - 0.5 * w * config.latent();
    return new Gradients(loss, kernels.get(0).gradients(), metrics);
  }

  /** Rows {@code [from, to)} of a matrix: the matrix itself when that is all of it. */
  private static INDArray rowsOf(INDArray a, int from, int to) {
    return from == 0 && to == a.size(0) ? a : a.get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
  }
}
