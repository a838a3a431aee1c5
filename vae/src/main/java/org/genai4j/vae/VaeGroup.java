package org.genai4j.vae;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.genai4j.common.nn.Quiet;
import org.genai4j.common.train.Batch;
import org.genai4j.common.train.Gradients;
import org.genai4j.common.train.ParameterGroup;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The VAE's one parameter group. Feeds the graph's placeholders from a batch: {@code x} (images,
 * any shape with D pixels per row), {@code eps} (the batch's own when it has one, else drawn from
 * ND4J's random generator, which the trainer reseeds per step) and the KL weight of the current
 * step. Reports the loss per image in nats with its reconstruction and KL terms as metrics. The
 * step counter is a buffer so a resumed run continues the KL warm-up where it stopped.
 */
final class VaeGroup implements ParameterGroup {

  static final String NAME = "vae";
  private static final List<String> OUTPUTS = List.of(VaeGraph.LOSS, VaeGraph.RECON_SUM, VaeGraph.KL_TERM_SUM);
  private final VaeConfig config;
  private final SameDiff sd;
  private final List<String> paramNames;
  private final DataType dtype;
  private final INDArray step;
  private boolean gradientsBuilt;

  VaeGroup(VaeConfig config, SameDiff sd, List<String> paramNames, DataType dtype) {
    this.config = config;
    this.sd = sd;
    this.paramNames = List.copyOf(paramNames);
    this.dtype = dtype;
    this.step = Nd4j.scalar(DataType.DOUBLE, 0.0);
  }

  Map<String, INDArray> placeholders(Batch batch) {
    INDArray x = batch.get("x");
    long n = x.size(0);
    INDArray flat = x.reshape('c', n, config.inputSize()).castTo(dtype);
    INDArray eps = batch.arrays().get("eps");
    if (eps == null) {
      eps = Nd4j.randn(dtype, n, config.latent());
    }
    double w = config.klWeight(currentStep());
    return Map.of(VaeGraph.X, flat, VaeGraph.EPS, eps.castTo(dtype),
        VaeGraph.INV_N, Nd4j.scalar(dtype, 1.0 / n), VaeGraph.KL_COEF, Nd4j.scalar(dtype, w / (2.0 * n)));
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
    Map<String, INDArray> m = new LinkedHashMap<>();
    for (String p : paramNames) {
      m.put(p, sd.getArrForVarName(p));
    }
    return m;
  }

  @Override
  public Map<String, INDArray> buffers() {
    return Map.of("step", step);
  }

  @Override
  public Gradients computeGradients(Batch batch) {
    Map<String, INDArray> ph = placeholders(batch);
    OutAndGrad og;
    if (!gradientsBuilt) {
      og = Quiet.call(() -> sd.calculateGradientsAndOutputs(ph, OUTPUTS, paramNames));
      gradientsBuilt = true;
    } else {
      og = sd.calculateGradientsAndOutputs(ph, OUTPUTS, paramNames);
    }
    long n = ph.get(VaeGraph.X).size(0);
    Map<String, INDArray> o = og.getOutputs();
    double w = config.klWeight(currentStep());
    double recon = o.get(VaeGraph.RECON_SUM).getDouble(0) / n;
    double kl = 0.5 * o.get(VaeGraph.KL_TERM_SUM).getDouble(0) / n - 0.5 * config.latent();
    // The graph's objective omits the constant -w*L/2 of the KL; add it back for the report.
    double loss = o.get(VaeGraph.LOSS).getDouble(0) - 0.5 * w * config.latent();
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("recon", recon);
    metrics.put("kl", kl);
    if (config.klWarmupSteps() > 0) {
      metrics.put("kl_weight", w);
    }
    return new Gradients(loss, og.getGradients(), metrics);
  }

  /** The loss of a batch from a forward pass only (gradient checks). */
  double loss(Batch batch) {
    Map<String, INDArray> ph = placeholders(batch);
    double w = config.klWeight(currentStep());
    return sd.output(ph, VaeGraph.LOSS).get(VaeGraph.LOSS).getDouble(0) - 0.5 * w * config.latent();
  }

  @Override
  public void afterUpdate() {
    step.assign(step.getDouble(0) + 1);
  }
}
