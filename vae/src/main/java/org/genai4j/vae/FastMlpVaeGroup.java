package org.genai4j.vae;

import java.util.LinkedHashMap;
import java.util.Map;
import org.genai4j.common.train.Batch;
import org.genai4j.common.train.Gradients;
import org.genai4j.common.train.ParameterGroup;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The MLP VAE's training group computed by {@link MlpVaeKernel} instead of SameDiff. It is the
 * SameDiff {@link VaeGroup} in every other respect: same name, same live parameter arrays, same
 * step buffer, same placeholders (so eps is drawn from ND4J's generator exactly as there) and the
 * same loss and metrics. Checkpoints, evaluation and sampling keep using the SameDiff graph.
 */
final class FastMlpVaeGroup implements ParameterGroup {

  private final VaeConfig config;
  private final VaeGroup sameDiff;
  private final MlpVaeKernel kernel;

  FastMlpVaeGroup(VaeConfig config, VaeGroup sameDiff, DataType dtype) {
    if (!supports(config)) {
      throw new IllegalArgumentException("the fast VAE step supports MLP configs only, got " + config.arch());
    }
    this.config = config;
    this.sameDiff = sameDiff;
    this.kernel = new MlpVaeKernel(config, sameDiff.parameters(), dtype);
  }

  /** True when the hand-written step computes this config's loss (every MLP likelihood). */
  static boolean supports(VaeConfig config) {
    return config.arch() == VaeConfig.Arch.MLP;
  }

  @Override
  public String name() {
    return sameDiff.name();
  }

  @Override
  public Map<String, INDArray> parameters() {
    return sameDiff.parameters();
  }

  @Override
  public Map<String, INDArray> buffers() {
    return sameDiff.buffers();
  }

  @Override
  public Gradients computeGradients(Batch batch) {
    Map<String, INDArray> ph = sameDiff.placeholders(batch);
    INDArray x = ph.get(VaeGraph.X);
    long n = x.size(0);
    double w = config.klWeight(sameDiff.currentStep());
    MlpVaeKernel.Sums s = kernel.forwardBackward(x, ph.get(VaeGraph.EPS), w);
    double recon = s.recon() / n;
    double kl = 0.5 * s.klTerms() / n - 0.5 * config.latent();
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("recon", recon);
    metrics.put("kl", kl);
    if (config.klWarmupSteps() > 0) {
      metrics.put("kl_weight", w);
    }
    // Same as VaeGroup: reconSum/N + w/(2N) * klTermSum - w*L/2.
    double loss = recon + w / (2.0 * n) * s.klTerms() - 0.5 * w * config.latent();
    return new Gradients(loss, kernel.gradients(), metrics);
  }

  @Override
  public void afterUpdate() {
    sameDiff.afterUpdate();
  }
}
