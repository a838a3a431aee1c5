package org.genai4j.common.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FastMathTest {

  @Test
  void expIsWithinOneUlp() {
    for (float x = -87f; x <= 88f; x += 0.01237f) {
      float expected = (float) Math.exp(x);
      float got = FastMath.exp(x);
      assertTrue(Math.abs(got - expected) <= Math.ulp(expected), "exp(" + x + ") = " + got + ", expected " + expected);
    }
  }

  @Test
  void tanhIsWithin3e7() {
    for (float x = -20f; x <= 20f; x += 0.00731f) {
      assertEquals(Math.tanh(x), FastMath.tanh(x), 3e-7, "tanh(" + x + ")");
    }
  }

  @Test
  void erfIsWithin5e7() {
    for (float x = -8f; x <= 8f; x += 0.00731f) {
      assertEquals(Erf.erf(x), FastMath.erf(x), 5e-7, "erf(" + x + ")");
    }
  }

  @Test
  void referenceErfIsRight() {
    assertEquals(0.8427007929497149, Erf.erf(1), 1e-15);
    assertEquals(0.9953222650189527, Erf.erf(2), 1e-15);
    assertEquals(0.9999779095030014, Erf.erf(3), 1e-14);
    assertEquals(-0.5204998778130465, Erf.erf(-0.5), 1e-15);
  }
}
