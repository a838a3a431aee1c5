package org.genai4j.llm.generate;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SamplingTest {

  static final float[] LOGITS = {1.0f, 3.0f, -2.0f, 2.5f, 0.0f, 3.0f};

  @Test
  void topKKeepsExactlyTheKLargest() {
    assertArrayEquals(new boolean[] {false, true, false, true, false, true}, LogitFilters.topK(LOGITS, 3));
    assertArrayEquals(new boolean[] {false, true, false, false, false, true}, LogitFilters.topK(LOGITS, 2));
    // Ties with the k-th value are kept (nanoGPT's rule).
    assertArrayEquals(new boolean[] {false, true, false, false, false, true}, LogitFilters.topK(LOGITS, 1));
    assertArrayEquals(new boolean[] {true, true, true, true, true, true}, LogitFilters.topK(LOGITS, 0));
  }

  @Test
  void topPKeepsTheSmallestNucleus() {
    double[] p = {0.1, 0.4, 0.05, 0.3, 0.15, 0.0};
    assertArrayEquals(new boolean[] {false, true, false, false, false, false}, LogitFilters.topP(p, 0.4));
    assertArrayEquals(new boolean[] {false, true, false, true, false, false}, LogitFilters.topP(p, 0.5));
    assertArrayEquals(new boolean[] {false, true, false, true, false, false}, LogitFilters.topP(p, 0.7));
    assertArrayEquals(new boolean[] {false, true, false, true, true, false}, LogitFilters.topP(p, 0.71));
    assertArrayEquals(new boolean[] {true, true, true, true, true, false}, LogitFilters.topP(p, 1.0));
  }

  @Test
  void samplerDrawsOnlyKeptTokens() {
    Sampler s = Sampler.of(1.0, 2, 1.0);
    Random r = new Random(1);
    boolean[] seen = new boolean[LOGITS.length];
    for (int i = 0; i < 2000; i++) {
      seen[s.sample(LOGITS, r)] = true;
    }
    assertArrayEquals(new boolean[] {false, true, false, false, false, true}, seen);
    Sampler nucleus = Sampler.of(1.0, 0, 0.5);
    // softmax(LOGITS): tokens 1 and 5 hold ~0.33 each, so a 0.5 nucleus keeps exactly those two.
    boolean[] seen2 = new boolean[LOGITS.length];
    for (int i = 0; i < 2000; i++) {
      seen2[nucleus.sample(LOGITS, r)] = true;
    }
    assertArrayEquals(new boolean[] {false, true, false, false, false, true}, seen2);
  }

  @Test
  void samplingFollowsTheDistribution() {
    float[] logits = {0f, (float) Math.log(3)};
    Sampler s = Sampler.of(1.0, 0, 1.0);
    Random r = new Random(5);
    int ones = 0;
    for (int i = 0; i < 20000; i++) {
      ones += s.sample(logits, r);
    }
    assertEquals(0.75, ones / 20000.0, 0.015);
  }

  @Test
  void greedyAndSeededSamplingAreDeterministic() {
    assertEquals(1, Sampler.greedy().sample(LOGITS, new Random()));
    Sampler s = Sampler.of(0.8, 0, 0.95);
    List<Integer> a = new ArrayList<>();
    List<Integer> b = new ArrayList<>();
    Random ra = new Random(42);
    Random rb = new Random(42);
    for (int i = 0; i < 50; i++) {
      a.add(s.sample(LOGITS, ra));
      b.add(s.sample(LOGITS, rb));
    }
    assertEquals(a, b);
    assertTrue(a.stream().distinct().count() > 1);
  }

  @Test
  void streamEmitsWholeCharactersAndCutsAtTheStopString() {
    List<String> pieces = new ArrayList<>();
    TextStream ts = new TextStream(pieces::add, "END");
    byte[] emoji = "🎉".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertFalse(ts.add(new byte[] {emoji[0], emoji[1]}));
    assertTrue(pieces.isEmpty(), "half a character must not be emitted");
    assertFalse(ts.add(new byte[] {emoji[2], emoji[3], 'a', 'E'}));
    assertFalse(ts.add("N".getBytes()));
    assertTrue(ts.add("Dzzz".getBytes()));
    ts.finish();
    assertEquals("🎉a", String.join("", pieces));
    assertEquals("🎉a", ts.text());
  }

  @Test
  void badOptionsAreClearErrors() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> GenerationOptions.defaults().withTopP(0))
        .getMessage().contains("topP"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> GenerationOptions.defaults().withTemperature(-1))
        .getMessage().contains("temperature"));
  }
}
