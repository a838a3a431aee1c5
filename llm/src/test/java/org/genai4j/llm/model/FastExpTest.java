package org.genai4j.llm.model;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class FastExpTest {

  @Test
  void withinOneUlpOfMathExp() {
    for (int i = -200_000; i <= 200_000; i++) {
      float x = i * 4.3e-4f; // -86 .. 86
      float expected = (float) Math.exp(x);
      float actual = FastExp.exp(x);
      if (Math.abs(actual - expected) > Math.ulp(expected)) {
        fail("exp(" + x + "): " + actual + " vs " + expected);
      }
    }
    assertEquals(1f, FastExp.exp(0f));
    assertTrue(FastExp.exp(-1e9f) < 1e-37f, "the causal mask's -1e9 gives (almost) nothing");
  }
}
