package org.genai4j.llm.model;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class FastGeluTest {

  @Test
  void matchesTheSigmoidFormInDouble() {
    int n = 400_001;
    float[] in = new float[n];
    for (int i = 0; i < n; i++) in[i] = -20f + i * 1e-4f; // -20 .. 20
    in[0] = -1e9f;
    in[n - 1] = 1e9f;
    float[] out = new float[n];
    float[] grad = new float[n];
    FastGelu.forward(in, out, grad, n);
    for (int i = 0; i < n; i++) {
      double x = in[i];
      double s = 1 / (1 + Math.exp(-1.702f * x));
      double g = x * s;
      double d = s + 1.702f * x * s * (1 - s);
      // The sigmoid is within 3e-7 absolute (a few ulps of 1); g = x s and g' inherit it.
      if (Math.abs(out[i] - g) > 3e-7 * Math.max(1, Math.abs(x))) {
        fail("gelu(" + x + ") = " + out[i] + ", expected " + g);
      }
      if (Math.abs(grad[i] - d) > 3e-7 * (1 + 1.702 * Math.abs(x))) {
        fail("gelu'(" + x + ") = " + grad[i] + ", expected " + d);
      }
    }
    assertEquals(0f, out[0], 0f);
    assertEquals(0f, out[(n - 1) / 2], "gelu(0) = 0");
    assertEquals(1e9f, out[n - 1]);
  }
}
