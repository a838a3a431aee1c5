package org.genai4j.common.ops;

import java.util.function.DoubleUnaryOperator;
import org.genai4j.common.testing.OpCheck;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ActivationTest {

  /** Plain double definitions of every activation. */
  static DoubleUnaryOperator reference(Activation.Kind kind) {
    return switch (kind) {
      case RELU -> v -> Math.max(0, v);
      case LEAKY_RELU -> v -> v > 0 ? v : 0.2 * v;
      case TANH -> Math::tanh;
      case SIGMOID -> v -> 1 / (1 + Math.exp(-v));
      case GELU_TANH -> v -> 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
      case GELU_ERF -> v -> 0.5 * v * (1 + Erf.erf(v / Math.sqrt(2)));
      case SILU -> v -> v / (1 + Math.exp(-v));
    };
  }

  @ParameterizedTest
  @EnumSource(Activation.Kind.class)
  void matchesReferenceAndFiniteDifferences(Activation.Kind kind) {
    Activation a = kind == Activation.Kind.LEAKY_RELU ? Activation.leakyRelu(0.2) : Activation.of(kind);
    // Values away from ReLU's kink, so that differences of width 1e-2 do not straddle it.
    Tensor x = LinearTest.random(3, 6, 7);
    for (int i = 0; i < x.length(); i++) {
      float v = x.get(i) * 2;
      x.set(i, Math.abs(v) < 0.05f ? v + 0.1f : v);
    }
    DoubleUnaryOperator f = reference(kind);
    OpCheck.of(a, x, (in, p) -> {
      double[] y = new double[in.length];
      for (int i = 0; i < in.length; i++) {
        y[i] = f.applyAsDouble(in[i]);
      }
      return y;
    }).tolerance(2e-6 * 50).samplesPerTensor(42).assertCorrect();
  }
}
