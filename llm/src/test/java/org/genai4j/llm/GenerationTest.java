package org.genai4j.llm;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.genai4j.llm.generate.CachedDecoder;
import org.genai4j.llm.generate.GenerationOptions;
import org.genai4j.llm.generate.WindowDecoder;
import org.genai4j.llm.model.GptConfig;
import org.genai4j.llm.model.GptInference;
import org.genai4j.llm.model.GptModel;
import org.genai4j.llm.tokenizer.CharTokenizer;
import org.genai4j.llm.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;

class GenerationTest {

  static final Tokenizer TOK = CharTokenizer.fromCorpus("abcdefghij \n:");

  static LlmModel randomModel() {
    GptConfig c = new GptConfig(TOK.vocabSize(), 2, 2, 16, 12, 0.0, true,
        org.genai4j.llm.model.PositionalEncoding.LEARNED, true);
    GptModel m = new GptModel(c, 1, 12, false, 9);
    // Larger weights than the 0.02 init so the next-token distributions are far from uniform.
    m.weights().values().forEach(w -> { if (w.rank() == 2) w.muli(20); });
    return LlmModel.of(m, TOK, 0);
  }

  /** Next-token distributions with the KV cache equal those of recomputing the window (1e-4). */
  @Test
  void cachedDecodingEqualsWindowRecompute() {
    LlmModel model = randomModel();
    GptInference inf = model.inference();
    CachedDecoder cached = new CachedDecoder(inf);
    WindowDecoder window = new WindowDecoder(inf);
    int[] prompt = TOK.encode("abc");
    assertClose(window.start(prompt), cached.start(prompt), "prompt");
    int[] next = TOK.encode("de fgh\nij");  // fills the block of 12 exactly
    for (int i = 0; i < next.length; i++) {
      assertClose(window.append(next[i]), cached.append(next[i]), "token " + i);
    }
  }

  private static void assertClose(float[] a, float[] b, String what) {
    double[] pa = org.genai4j.llm.generate.LogitFilters.probabilities(a, all(a.length), 1.0);
    double[] pb = org.genai4j.llm.generate.LogitFilters.probabilities(b, all(b.length), 1.0);
    for (int i = 0; i < pa.length; i++) {
      assertEquals(pa[i], pb[i], 1e-4, what + ": probability of token " + i);
    }
  }

  private static boolean[] all(int n) {
    boolean[] k = new boolean[n];
    java.util.Arrays.fill(k, true);
    return k;
  }

  @Test
  void seededGenerationIsDeterministicAndStreamsEverything() {
    LlmModel model = randomModel();
    GenerationOptions o = GenerationOptions.defaults().withMaxTokens(40).withTemperature(1.0).withTopK(0).withSeed(3);
    List<String> pieces = new ArrayList<>();
    String a = TextGeneration.generate(model, "ab", o, pieces::add).text();
    String b = TextGeneration.generate(model, "ab", o);
    assertEquals(a, b);
    assertEquals(a, String.join("", pieces));
    assertEquals(40, a.length());
    assertNotEquals(a, TextGeneration.generate(model, "ab", o.withSeed(4)));
    // Past the block size (12), generation continues.
    assertEquals(40, TextGeneration.generate(model, "ab", o.withKvCache(false)).length());
  }

  @Test
  void greedyCachedAndUncachedGiveTheSameTextWithinTheBlock() {
    LlmModel model = randomModel();
    GenerationOptions o = GenerationOptions.defaults().withMaxTokens(9).withTemperature(0);
    assertEquals(TextGeneration.generate(model, "abc", o), TextGeneration.generate(model, "abc", o.withKvCache(false)));
  }

  @Test
  void stopStringEndsGeneration() {
    LlmModel model = randomModel();
    GenerationOptions o = GenerationOptions.defaults().withMaxTokens(60).withTemperature(1.0).withTopK(0).withSeed(5);
    String free = TextGeneration.generate(model, "a", o);
    String stop = free.substring(10, 12);
    int at = free.indexOf(stop);
    assertEquals(free.substring(0, at), TextGeneration.generate(model, "a", o.withStop(stop)));
  }

  @Test
  void promptOutsideTheVocabularyIsAClearError() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> TextGeneration.generate(randomModel(), "abZ", GenerationOptions.defaults()));
    assertTrue(e.getMessage().contains("'Z' (U+005A) at position 2"), e.getMessage());
  }
}
