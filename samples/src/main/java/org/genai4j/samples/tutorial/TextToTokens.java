package org.genai4j.samples.tutorial;

import java.util.Arrays;
import org.genai4j.datasets.TextCorpus;
import org.genai4j.llm.model.GptConfig;
import org.genai4j.llm.tokenizer.BytePairTokenizer;
import org.genai4j.llm.tokenizer.CharTokenizer;
import org.genai4j.llm.tokenizer.Gpt2Tokenizer;
import org.genai4j.llm.tokenizer.Tokenizer;

/** Chapter 1: characters, a byte-level BPE trained here, GPT-2's tokenizer, and what a vocabulary costs. */
final class TextToTokens implements Chapter {

  @Override
  public int number() {
    return 1;
  }

  @Override
  public String title() {
    return "Text to tokens";
  }

  @Override
  public String page() {
    return "01-tokens.md";
  }

  @Override
  public void run(ChapterRun run) {
    TextCorpus corpus = run.text("tinyshakespeare");
    String text = corpus.text();
    String val = corpus.validation();
    run.figure("corpus_chars", text.length());
    run.figure("val_chars", val.length());

    // 1. Characters: one id per distinct character.
    Tokenizer chars = CharTokenizer.fromCorpus(text);
    run.figure("char_vocab", chars.vocabSize());
    show(run, "char", chars, "ROMEO: Hello");
    run.figure("char_val_tokens", chars.encode(val).length);

    // 2. Byte-level BPE: start from the 256 bytes, merge the most frequent pair, repeat.
    int bpeVocab = 512;
    String bpeText = corpus.train();
    long t0 = System.nanoTime();
    BytePairTokenizer bpe = BytePairTokenizer.train(bpeText, bpeVocab);
    run.say("trained %d merges on %,d characters in %.1f s", bpe.merges().length, bpeText.length(),
        (System.nanoTime() - t0) / 1e9);
    run.figure("bpe_vocab", bpe.vocabSize());
    run.say("the first merges: %s", firstMerges(bpe, 8));
    show(run, "bpe", bpe, "ROMEO: Hello");
    int bpeVal = bpe.encode(val).length;
    run.figure("bpe_val_tokens", bpeVal);
    run.figure("bpe_chars_per_token", (double) val.length() / bpeVal, 2);

    // 3. GPT-2's tokenizer: the same algorithm, 50,000 merges learned on web text.
    Tokenizer gpt2 = new Gpt2Tokenizer();
    run.figure("gpt2_vocab", gpt2.vocabSize());
    show(run, "gpt2", gpt2, "ROMEO: Hello");
    int gpt2Val = gpt2.encode(val).length;
    run.figure("gpt2_val_tokens", gpt2Val);
    run.figure("gpt2_chars_per_token", (double) val.length() / gpt2Val, 2);
    run.figure("gpt2_roundtrip", gpt2.decode(gpt2.encode(val)).equals(val) ? "yes" : "no");

    // 4. What a vocabulary costs: the embedding (and, tied, the output head) is vocab x width.
    GptConfig model = GptConfig.reference(); // 4 layers, width 128
    for (Tokenizer t : new Tokenizer[] {chars, bpe, gpt2}) {
      GptConfig c = model.withVocabSize(t.vocabSize());
      long embedding = (long) t.vocabSize() * c.nEmbd();
      run.figure("params_" + t.kind(), c.parameterCount());
      run.figure("embedding_share_pct_" + t.kind(), 100.0 * embedding / c.parameterCount(), 1);
    }
  }

  private static void show(ChapterRun run, String name, Tokenizer t, String text) {
    int[] ids = t.encode(text);
    StringBuilder pieces = new StringBuilder();
    for (int id : ids) {
      pieces.append(pieces.length() == 0 ? "" : "|").append(t.decode(new int[] {id}));
    }
    run.say("%-5s %-14s -> %d tokens %s  [%s]", name, "\"" + text + "\"", ids.length, Arrays.toString(ids), pieces);
  }

  private static String firstMerges(BytePairTokenizer bpe, int n) {
    StringBuilder s = new StringBuilder();
    int[][] merges = bpe.merges();
    for (int i = 0; i < Math.min(n, merges.length); i++) {
      s.append(i == 0 ? "" : ", ").append('"').append(visible(bpe.decode(new int[] {256 + i}))).append('"');
    }
    return s.toString();
  }

  private static String visible(String s) {
    return s.replace("\n", "\\n");
  }
}
