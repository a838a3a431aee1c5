package org.genai4j.llm.scratch;

import org.nd4j.autodiff.samediff.*;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

public class LnEps {
  public static void main(String[] a) {
    INDArray x = Nd4j.create(new float[] {0.001f, -0.001f, 0.002f, 0f}, new long[] {1, 4}, 'c');
    SameDiff sd = SameDiff.create();
    SDVariable in = sd.constant("in", x);
    SDVariable y = sd.nn.layerNorm(in, sd.constant(Nd4j.ones(DataType.FLOAT, 4)), false, 1);
    INDArray out = y.eval();
    System.err.println("sd " + out);
    INDArray c = x.subColumnVector(x.mean(true, 1));
    double var = c.mul(c).meanNumber().doubleValue();
    for (double eps : new double[] {0, 1e-12, 1e-8, 1e-6, 1e-5}) {
      System.err.println("eps " + eps + " var-form " + c.div(Math.sqrt(var + eps)));
    }
    double varU = c.mul(c).sumNumber().doubleValue() / 3;
    System.err.println("unbiased " + c.div(Math.sqrt(varU)));
    System.err.println("std+eps " + c.div(Math.sqrt(var) + 1e-5));
  }
}
