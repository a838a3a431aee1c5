package org.genai4j.gan;

import java.util.Random;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.genai4j.common.train.Batch;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Measurement helper (not a test): one forward + backward pass through generator + discriminator
 * at batch 64, in SameDiff ops (this module's generator step) and in a DL4J ComputationGraph of the
 * same shape (Deconvolution2D, BatchNormalization, ConvolutionLayer), alternating in one run.
 */
public final class ConvBackendBench {
  public static void main(String[] args) {
    int reps = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    DcganConfig c = DcganConfig.fashionMnist();
    Dcgan m = new Dcgan(c, 1);
    Batch b = new GanBatches(Nd4j.rand(DataType.FLOAT, 128, 1, 28, 28), c, 64).next(new Random(1));
    ComputationGraph cg = graph();
    INDArray z = b.get(Dcgan.Z);
    INDArray y = Nd4j.ones(DataType.FLOAT, 64, 1);
    cg.setInputs(z);
    cg.setLabels(y);
    m.generator().computeGradients(b);
    cg.computeGradientAndScore();
    double sd = 0, dl = 0;
    for (int i = 0; i < reps; i++) {
      long t0 = System.nanoTime();
      m.generator().computeGradients(b);
      long t1 = System.nanoTime();
      cg.setInputs(z);
      cg.setLabels(y);
      cg.computeGradientAndScore();
      long t2 = System.nanoTime();
      sd += (t1 - t0) / 1e6;
      dl += (t2 - t1) / 1e6;
    }
    System.out.printf("G+D forward+backward, batch 64, %s threads, load %s:%n", System.getenv("OMP_NUM_THREADS"), org.genai4j.common.util.Threads.loadAverage());
    System.out.printf("  SameDiff ops        %.1f ms%n  DL4J ComputationGraph %.1f ms%n", sd / reps, dl / reps);
  }

  static ComputationGraph graph() {
    ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
        .seed(1).updater(new Adam(2e-4, 0.5, 0.999, 1e-8)).weightInit(WeightInit.NORMAL).dataType(DataType.FLOAT)
        .graphBuilder().addInputs("z").setInputTypes(InputType.feedForward(100))
        .addLayer("g_fc", new DenseLayer.Builder().nIn(100).nOut(7 * 7 * 128).hasBias(false).activation(Activation.IDENTITY).build(), "z")
        .inputPreProcessor("g_bn0", new FeedForwardToCnnPreProcessor(7, 7, 128))
        .addLayer("g_bn0", new BatchNormalization.Builder().nOut(128).build(), "g_fc")
        .addLayer("g_r0", new ActivationLayer(Activation.RELU), "g_bn0")
        .addLayer("g_up1", new Deconvolution2D.Builder(4, 4).stride(2, 2).padding(1, 1).nOut(64).hasBias(false)
            .convolutionMode(ConvolutionMode.Truncate).activation(Activation.IDENTITY).build(), "g_r0")
        .addLayer("g_bn1", new BatchNormalization.Builder().nOut(64).build(), "g_up1")
        .addLayer("g_r1", new ActivationLayer(Activation.RELU), "g_bn1")
        .addLayer("g_up2", new Deconvolution2D.Builder(4, 4).stride(2, 2).padding(1, 1).nOut(1)
            .convolutionMode(ConvolutionMode.Truncate).activation(Activation.TANH).build(), "g_r1")
        .addLayer("d_c1", new ConvolutionLayer.Builder(4, 4).stride(2, 2).padding(1, 1).nOut(64)
            .convolutionMode(ConvolutionMode.Truncate).activation(new ActivationLReLU(0.2)).build(), "g_up2")
        .addLayer("d_c2", new ConvolutionLayer.Builder(4, 4).stride(2, 2).padding(1, 1).nOut(128).hasBias(false)
            .convolutionMode(ConvolutionMode.Truncate).activation(Activation.IDENTITY).build(), "d_c1")
        .addLayer("d_bn2", new BatchNormalization.Builder().nOut(128).build(), "d_c2")
        .addLayer("d_r2", new ActivationLayer(new ActivationLReLU(0.2)), "d_bn2")
        .addLayer("d_out", new OutputLayer.Builder(LossFunctions.LossFunction.XENT).nOut(1).activation(Activation.SIGMOID).build(), "d_r2")
        .setOutputs("d_out").build();
    ComputationGraph g = new ComputationGraph(conf);
    g.init();
    return g;
  }
}
