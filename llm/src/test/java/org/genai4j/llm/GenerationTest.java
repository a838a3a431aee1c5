package org.genai4j.llm;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.genai4j.common.ops.Param;
import org.genai4j.common.ops.Params;
import org.genai4j.llm.generate.CachedDecoder;
import org.genai4j.llm.generate.GenerationOptions;
import org.genai4j.llm.generate.LogitFilters;
import org.genai4j.llm.generate.WindowDecoder;
import org.genai4j.llm.model.Gpt;
import org.genai4j.llm.model.GptConfig;
import org.genai4j.llm.tokenizer.CharTokenizer;
import org.genai4j.llm.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;

class GenerationTest {

  static final Tokenizer TOK = CharTokenizer.fromCorpus("abcdefghij \n:");

  static LlmModel randomModel() {
    GptConfig c = GptConfig.of(TOK.vocabSize(), 2, 2, 16, 12);
    Params p = Params.init(9);
    Gpt gpt = new Gpt(c, p);
    // Larger weights than the 0.02 init so the next-token distributions are far from uniform.
    for (Param q : p.list()) {
      if (q.shape().length == 2) {
        q.value().scale(20f);
      }
    }
    return new LlmModel(gpt, TOK, 0);
  }

  /** Next-token distributions with the KV cache equal those of recomputing the window (1e-4), past the block too. */
  @Test
  void cachedDecodingEqualsWindowRecompute() {
    LlmModel model = randomModel();
    CachedDecoder cached = new CachedDecoder(model.gpt());
    WindowDecoder window = new WindowDecoder(model.gpt());
    int[] prompt = TOK.encode("abc");
    assertClose(window.start(prompt), cached.start(prompt), "prompt");
    int[] next = TOK.encode("de fgh\nij"); // fills the block of 12 exactly
    for (int i = 0; i < next.length; i++) {
      assertClose(window.append(next[i]), cached.append(next[i]), "token " + i);
    }
  }

  private static void assertClose(float[] a, float[] b, String what) {
    boolean[] all = new boolean[a.length];
    Arrays.fill(all, true);
    double[] pa = LogitFilters.probabilities(a, all, 1.0);
    double[] pb = LogitFilters.probabilities(b, all, 1.0);
    for (int i = 0; i < pa.length; i++) {
      assertEquals(pa[i], pb[i], 1e-4, what + ": probability of token " + i);
    }
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
    // Past the block size (12), generation continues both ways.
    assertEquals(40, TextGeneration.generate(model, "ab", o.withKvCache(false)).length());
    assertEquals(5, TextGeneration.generate(model, "abcdefghij abcdefghij", o.withMaxTokens(5)).length());
  }

  @Test
  void greedyCachedAndUncachedGiveTheSameTextWithinTheBlock() {
    LlmModel model = randomModel();
    GenerationOptions o = GenerationOptions.defaults().withMaxTokens(9).withTemperature(0);
    assertEquals(TextGeneration.generate(model, "abc", o), TextGeneration.generate(model, "abc", o.withKvCache(false)));
  }

  @Test
  void topKAndTopPSampleOnlyAmongTheKeptTokens() {
    LlmModel model = randomModel();
    GenerationOptions o = GenerationOptions.defaults().withMaxTokens(30).withTemperature(1.0).withTopK(1).withSeed(2);
    String greedy = TextGeneration.generate(model, "ab", o.withTemperature(0).withTopK(0));
    assertEquals(greedy, TextGeneration.generate(model, "ab", o), "top-1 sampling is greedy");
    assertEquals(greedy, TextGeneration.generate(model, "ab", o.withTopK(0).withTopP(1e-6)), "a tiny nucleus is greedy");
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
