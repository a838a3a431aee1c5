package org.genai4j.common.train;

import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.genai4j.common.ops.StepContext;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A {@link ParameterGroup} over a DL4J {@link MultiLayerNetwork}: one flat parameter array (the
 * network's own parameter view, updated in place) whose gradient comes from {@code
 * computeGradientAndScore}. The network's configured updater is not used; the {@link Trainer}'s
 * optimizer is. The gradient is that of the batch-mean loss the group reports. Use {@link OptimizerConfig.Kind#ADAM} or SGD: AdamW's decay would also reach the
 * biases, which live in the same flat array.
 */
public final class MultiLayerNetworkGroup implements ParameterGroup {

  private final String name;
  private final MultiLayerNetwork net;
  private final String features;
  private final String labels;

  /**
   * @param features the batch array fed as the network's input
   * @param labels the batch array of labels in the form the output layer expects (e.g. one-hot)
   */
  public MultiLayerNetworkGroup(String name, MultiLayerNetwork net, String features, String labels) {
    this.name = name;
    this.net = net;
    this.features = features;
    this.labels = labels;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Map<String, INDArray> parameters() {
    return Map.of("params", net.params());
  }

  public MultiLayerNetwork network() {
    return net;
  }

  @Override
  public Gradients computeGradients(Batch batch, StepContext ctx) {
    net.setInput(batch.get(features));
    net.setLabels(batch.get(labels));
    net.computeGradientAndScore();
    // DL4J's gradient here is the sum over the batch (its updater divides by the batch size
    // later) while the score is the mean: divide so the gradient is the mean loss's.
    INDArray g = net.gradient().gradient().div(batch.get(features).size(0));
    return new Gradients(net.score(), Map.of("params", g.reshape(net.params().shape())));
  }
}
