package org.genai4j.llm.scratch;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.api.ops.impl.transforms.strict.*;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.*;
import org.nd4j.linalg.ops.transforms.Transforms;

public class OpBench {
  interface R { void run(); }
  static void time(String name, R r) {
    for (int i = 0; i < 3; i++) r.run();
    long t0 = System.nanoTime();
    int n = 20;
    for (int i = 0; i < n; i++) r.run();
    System.err.printf("%-30s %8.3f ms%n", name, (System.nanoTime() - t0) / 1e6 / n);
  }
  public static void main(String[] a) {
    INDArray x = Nd4j.randn(DataType.FLOAT, 768, 512);
    INDArray out = x.ulike();
    time("precise_gelu", () -> Nd4j.exec(new PreciseGELU(x, out)));
    time("precise_gelu_deriv", () -> Nd4j.exec(new PreciseGELUDerivative(x, out)));
    time("gelu", () -> Nd4j.exec(new GELU(x, out)));
    time("gelu_deriv", () -> Nd4j.exec(new GELUDerivative(x, out)));
    time("sigmoid", () -> Nd4j.exec(new Sigmoid(x, out)));
    time("tanh", () -> Nd4j.exec(new Tanh(x, out)));
    time("mul", () -> x.mul(x));
    time("muli", () -> out.muli(x));
    time("mmul 768x128x512", () -> Nd4j.randn(DataType.FLOAT, 768, 128).mmul(Nd4j.randn(DataType.FLOAT, 128, 512)));
    INDArray p = Nd4j.randn(DataType.FLOAT, 768, 128), q = Nd4j.randn(DataType.FLOAT, 128, 512);
    time("mmul only", () -> p.mmul(q));
    time("randn 768x128", () -> Nd4j.randn(DataType.FLOAT, 768, 128));
  }
}
