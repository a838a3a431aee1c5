package org.genai4j.llm.tokenizer;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerTest {

  static final String MIXED = "Hello, wörld! 你好，世界 🎉👩‍👩‍👧 e\u0301 \u0915\u093F naïve\n\ttabs  and  spaces 12345 it's";
  static final String CORPUS = ("First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, speak.\n"
      + "First Citizen:\nYou are all resolved rather to die than to famish?\n").repeat(20);

  @Test
  void charTokenizerRoundTripsAndSaves(@TempDir Path dir) {
    CharTokenizer t = CharTokenizer.fromCorpus(MIXED);
    assertEquals(MIXED, t.decode(t.encode(MIXED)));
    assertEquals(MIXED.codePointCount(0, MIXED.length()), t.encode(MIXED).length);
    t.save(dir);
    Tokenizer back = Tokenizers.load(dir);
    assertEquals("char", back.kind());
    assertArrayEquals(t.encode(MIXED), back.encode(MIXED));
  }

  @Test
  void charTokenizerNamesAnUnknownCharacter() {
    CharTokenizer t = CharTokenizer.fromCorpus("abc ");
    var e = assertThrows(IllegalArgumentException.class, () -> t.encode("ab é"));
    assertTrue(e.getMessage().contains("'é' (U+00E9) at position 3"), e.getMessage());
  }

  @Test
  void bpeLearnsMergesAndRoundTripsAnyText(@TempDir Path dir) {
    BytePairTokenizer t = BytePairTokenizer.train(CORPUS, 300);
    assertEquals(300, t.vocabSize());
    int[] enc = t.encode(CORPUS);
    assertTrue(enc.length < CORPUS.length() / 2, "merges should compress the training text: " + enc.length);
    assertEquals(CORPUS, t.decode(enc));
    // Text with bytes the corpus never had still round-trips (bytes are the base alphabet).
    assertEquals(MIXED, t.decode(t.encode(MIXED)));
    t.save(dir);
    Tokenizer back = Tokenizers.load(dir);
    assertArrayEquals(enc, back.encode(CORPUS));
    assertEquals(MIXED, back.decode(back.encode(MIXED)));
  }

  @Test
  void bpeFirstMergeIsTheMostFrequentPair() {
    BytePairTokenizer t = BytePairTokenizer.train("ab ab ab ab cd", 257);
    assertArrayEquals(new int[] {'a', 'b'}, t.merges()[0]);
  }

  @Test
  void bpeRejectsTooSmallVocab() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> BytePairTokenizer.train("abc", 100))
        .getMessage().contains("256"));
  }

  @Test
  void gpt2TokenizerRoundTrips(@TempDir Path dir) {
    Gpt2Tokenizer t = new Gpt2Tokenizer();
    assertEquals(50257, t.vocabSize());
    assertArrayEquals(new int[] {15496, 11, 995, 0}, t.encode("Hello, world!"));
    assertEquals(MIXED, t.decode(t.encode(MIXED)));
    t.save(dir);
    assertEquals("gpt2", Tokenizers.load(dir).kind());
  }

  @Test
  void charCountsAddUpToTheText() {
    for (Tokenizer t : new Tokenizer[] {CharTokenizer.fromCorpus(MIXED), BytePairTokenizer.train(CORPUS + MIXED, 320),
        new Gpt2Tokenizer()}) {
      int chars = 0;
      for (int tok : t.encode(MIXED)) {
        chars += t.charCount(tok);
      }
      assertEquals(MIXED.codePointCount(0, MIXED.length()), chars, t.kind());
    }
  }

  @Test
  void unknownKindIsAClearError() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Tokenizers.create("words", "x", 0))
        .getMessage().contains("char, bpe, gpt2"));
  }
}
