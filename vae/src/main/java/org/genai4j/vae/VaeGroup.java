package org.genai4j.vae;

import java.util.List;
import java.util.Map;
import org.genai4j.common.train.Batch;
import org.genai4j.common.train.Gradients;
import org.genai4j.common.train.ParameterGroup;
import org.genai4j.common.train.SameDiffGroup;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The VAE's one parameter group. Feeds the graph's placeholders from a batch: {@code x} (images,
 * any shape with D pixels per row), {@code eps} (the batch's own when it has one, else drawn from
 * ND4J's random generator, which the trainer reseeds per step) and the KL weight of the current
 * step. The step counter is a buffer so a resumed run continues the KL warm-up where it stopped.
 */
final class VaeGroup implements ParameterGroup {

  static final String NAME = "vae";
  private final VaeConfig config;
  private final DataType dtype;
  private final INDArray step;
  private final SameDiffGroup delegate;

  VaeGroup(VaeConfig config, SameDiff sd, List<String> paramNames, DataType dtype) {
    this.config = config;
    this.dtype = dtype;
    this.step = Nd4j.scalar(DataType.DOUBLE, 0.0);
    this.delegate = new SameDiffGroup(NAME, sd, VaeGraph.LOSS, paramNames, this::placeholders,
        Map.of("recon", VaeGraph.RECON_MEAN, "kl", VaeGraph.KL_MEAN));
  }

  private Map<String, INDArray> placeholders(Batch batch) {
    INDArray x = batch.get("x");
    long n = x.size(0);
    INDArray flat = x.reshape('c', n, config.inputSize()).castTo(dtype);
    INDArray eps = batch.arrays().get("eps");
    if (eps == null) {
      eps = Nd4j.randn(dtype, n, config.latent());
    }
    INDArray w = Nd4j.scalar(dtype, config.klWeight(currentStep()));
    return Map.of(VaeGraph.X, flat, VaeGraph.EPS, eps.castTo(dtype), VaeGraph.KL_WEIGHT, w);
  }

  long currentStep() {
    return (long) step.getDouble(0);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Map<String, INDArray> parameters() {
    return delegate.parameters();
  }

  @Override
  public Map<String, INDArray> buffers() {
    return Map.of("step", step);
  }

  @Override
  public Gradients computeGradients(Batch batch) {
    return delegate.computeGradients(batch);
  }

  @Override
  public void afterUpdate() {
    step.assign(step.getDouble(0) + 1);
  }
}
