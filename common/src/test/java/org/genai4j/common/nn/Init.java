package org.genai4j.common.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Standard weight initializations, drawn from ND4J's (seeded) random generator. FLOAT by
 * default; the overloads taking a {@link DataType} serve double-precision gradient checks.
 */
public final class Init {
  private Init() {}

  /** N(0, std^2), as GPT-2 (0.02) and DCGAN (0.02) use. */
  public static INDArray normal(double std, long... shape) {
    return normal(DataType.FLOAT, std, shape);
  }

  public static INDArray normal(DataType type, double std, long... shape) {
    return Nd4j.randn(type, shape).muli(std);
  }

  public static INDArray zeros(long... shape) {
    return zeros(DataType.FLOAT, shape);
  }

  public static INDArray zeros(DataType type, long... shape) {
    return Nd4j.zeros(type, shape);
  }

  public static INDArray ones(long... shape) {
    return ones(DataType.FLOAT, shape);
  }

  public static INDArray ones(DataType type, long... shape) {
    return Nd4j.ones(type, shape);
  }

  /** Uniform(-b, b) with b = 1/sqrt(fanIn): PyTorch's default for linear and conv layers. */
  public static INDArray uniformFanIn(long fanIn, long... shape) {
    return uniformFanIn(DataType.FLOAT, fanIn, shape);
  }

  public static INDArray uniformFanIn(DataType type, long fanIn, long... shape) {
    double b = 1.0 / Math.sqrt(fanIn);
    return Nd4j.rand(type, shape).muli(2 * b).subi(b);
  }

  /** Glorot/Xavier uniform: b = sqrt(6 / (fanIn + fanOut)). */
  public static INDArray xavierUniform(long fanIn, long fanOut, long... shape) {
    return xavierUniform(DataType.FLOAT, fanIn, fanOut, shape);
  }

  public static INDArray xavierUniform(DataType type, long fanIn, long fanOut, long... shape) {
    double b = Math.sqrt(6.0 / (fanIn + fanOut));
    return Nd4j.rand(type, shape).muli(2 * b).subi(b);
  }
}
