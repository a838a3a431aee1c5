package org.genai4j.common.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

class MultiLayerNetworkGroupTest {

  /** The group's gradient is the gradient of the loss it reports (the batch mean), by finite differences. */
  @Test
  void gradientIsThatOfTheMeanLoss() {
    MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
        .seed(3).dataType(DataType.DOUBLE).updater(new NoOp()).list()
        .layer(new DenseLayer.Builder().nIn(3).nOut(5).activation(Activation.TANH).build())
        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(2)
            .activation(Activation.SOFTMAX).build())
        .build());
    net.init();
    Nd4j.getRandom().setSeed(1);
    INDArray x = Nd4j.randn(DataType.DOUBLE, 8, 3);
    INDArray y = Nd4j.zeros(DataType.DOUBLE, 8, 2);
    for (int i = 0; i < 8; i++) {
      y.putScalar(i, i % 2, 1);
    }
    Batch b = Batch.of(Map.of("x", x, "y", y), 8);
    MultiLayerNetworkGroup g = new MultiLayerNetworkGroup("net", net, "x", "y");
    INDArray grad = g.computeGradients(b, org.genai4j.common.ops.StepContext.training(0, 0)).gradients().get("params").dup();
    INDArray p = g.parameters().get("params");
    double eps = 1e-6;
    for (int i = 0; i < p.length(); i++) {
      double orig = p.getDouble(i);
      p.putScalar(i, orig + eps);
      double plus = g.computeGradients(b, org.genai4j.common.ops.StepContext.training(0, 0)).loss();
      p.putScalar(i, orig - eps);
      double minus = g.computeGradients(b, org.genai4j.common.ops.StepContext.training(0, 0)).loss();
      p.putScalar(i, orig);
      double numeric = (plus - minus) / (2 * eps);
      double analytic = grad.getDouble(i);
      assertTrue(Math.abs(numeric - analytic) <= 1e-6 * Math.max(1, Math.abs(numeric)),
          "param " + i + ": analytic " + analytic + " numeric " + numeric);
    }
  }
}
