package org.genai4j.gan;

import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Scratch: does native batchNorm's gradient double count when mean/var come from the input? */
public final class BnScratch {
  public static void main(String[] a) {
    Nd4j.getRandom().setSeed(1);
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.var("x", Nd4j.randn(DataType.DOUBLE, 3, 2, 2, 3));
    SDVariable g = sd.var("g", Nd4j.rand(DataType.DOUBLE, 2).addi(0.5));
    SDVariable b = sd.var("b", Nd4j.rand(DataType.DOUBLE, 2));
    SDVariable mean = x.mean(false, 0, 2, 3);
    SDVariable xc = x.sub(mean.reshape(1, 2, 1, 1));
    SDVariable var = xc.mul(xc).mean(false, 0, 2, 3);
    SDVariable y = sd.nn.batchNorm(x, mean, var, g, b, 1e-5, 1);
    SDVariable r = sd.constant("r", Nd4j.randn(DataType.DOUBLE, 3, 2, 2, 3));
    SDVariable loss = y.mul(y).mul(r).sum().rename("loss");
    sd.setLossVariables(loss);
    Map<String, INDArray> gr = sd.calculateGradients(Map.of(), List.of("x", "g", "b"));
    INDArray p = sd.getArrForVarName("x");
    double h = 1e-6;
    for (int i = 0; i < 6; i++) {
      double v = p.getDouble(i);
      p.putScalar(i, v + h);
      double up = sd.output(Map.of(), "loss").get("loss").getDouble(0);
      p.putScalar(i, v - h);
      double dn = sd.output(Map.of(), "loss").get("loss").getDouble(0);
      p.putScalar(i, v);
      System.out.printf("x[%d] analytic %.8f numeric %.8f%n", i, gr.get("x").getDouble(i), (up - dn) / (2 * h));
    }
  }
}
