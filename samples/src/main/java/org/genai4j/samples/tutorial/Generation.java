package org.genai4j.samples.tutorial;

import java.util.Locale;
import org.genai4j.common.ops.StepContext;
import org.genai4j.llm.LlmModel;
import org.genai4j.llm.TextGeneration;
import org.genai4j.llm.generate.GenerationOptions;
import org.genai4j.llm.generate.Generator;
import org.genai4j.llm.generate.LogitFilters;

/**
 * Chapter 6: from logits to text. The next-token distribution after a prompt, reshaped by the
 * temperature and cut by top-k and top-p; greedy and sampled continuations; the KV cache, which
 * gives the same tokens while computing each position once.
 */
final class Generation implements Chapter {

  @Override
  public int number() {
    return 6;
  }

  @Override
  public String title() {
    return "Generation";
  }

  @Override
  public String page() {
    return "06-generation.md";
  }

  @Override
  public void run(ChapterRun run) throws Exception {
    int iters = run.pick(60, 600);
    run.say("training the chapter's model (%d steps)...", iters);
    LlmModel model = SmallGpt.trainInto(run, freshDir(run, "model"), iters);

    String prompt = "ROMEO:\n";
    int[] ids = model.tokenizer().encode(prompt);
    float[] all = model.gpt().forward(StepContext.inference(), ids, 1, ids.length).toArray();
    int vocab = model.config().vocabSize();
    float[] logits = new float[vocab];
    System.arraycopy(all, (ids.length - 1) * vocab, logits, 0, vocab); // the last position predicts the next token
    boolean[] everything = LogitFilters.topK(logits, 0);
    for (double temperature : new double[] {0.5, 1.0, 2.0}) {
      double[] p = LogitFilters.probabilities(logits, everything, temperature);
      int best = LogitFilters.argmax(logits);
      String key = String.format(Locale.ROOT, "t%02d", (int) Math.round(temperature * 10));
      run.say("temperature %.1f: most likely next character %s with p = %.3f, entropy %.2f bits; top 5: %s",
          temperature, quote(model, best), p[best], entropyBits(p), top(model, p, 5));
      run.figure("p_top_" + key, p[best], 2);
      run.figure("entropy_bits_" + key, entropyBits(p), 2);
    }
    double[] p1 = LogitFilters.probabilities(logits, everything, 1.0);
    for (double topP : new double[] {0.5, 0.9}) {
      int kept = count(LogitFilters.topP(p1, topP));
      run.figure("top_p_" + (int) (topP * 100) + "_keeps", kept);
    }
    run.figure("top_k_5_keeps", count(LogitFilters.topK(logits, 5)));

    int n = 120;
    GenerationOptions greedy = GenerationOptions.defaults().withTemperature(0).withMaxTokens(n);
    Generator.Result g = TextGeneration.generate(model, prompt, greedy, null);
    run.say("greedy:%n%s%s%n", prompt, g.text());
    GenerationOptions sampled = GenerationOptions.defaults().withTemperature(0.8).withTopK(40).withMaxTokens(n)
        .withSeed(1);
    run.say("temperature 0.8, top-k 40, seed 1:%n%s%s%n", prompt, TextGeneration.generate(model, prompt, sampled));

    // The KV cache: the same tokens, each position's keys and values computed once.
    int longer = model.config().blockSize() - ids.length; // stays inside one window
    Generator.Result cached = TextGeneration.generate(model, ids, greedy.withMaxTokens(longer), null);
    Generator.Result window = TextGeneration.generate(model, ids, greedy.withMaxTokens(longer).withKvCache(false),
        null);
    run.figure("cache_same_tokens", java.util.Arrays.equals(cached.tokens(), window.tokens()) ? "yes" : "no");
    long without = 0;
    for (int i = 0; i < longer; i++) {
      without += ids.length + i; // every step runs the whole sequence so far
    }
    long with = ids.length + longer - 1; // the prompt once, then one new position per step
    run.figure("positions_without_cache", without);
    run.figure("positions_with_cache", with);
    run.say("%d tokens: %.0f tokens/s with the cache, %.0f without (this machine)", longer,
        cached.tokensPerSecond(), window.tokensPerSecond());
  }

  static java.nio.file.Path freshDir(ChapterRun run, String name) throws java.io.IOException {
    java.nio.file.Path dir = run.out().resolve(name);
    org.genai4j.common.util.FileTrees.delete(dir);
    return dir;
  }

  private static String quote(LlmModel model, int token) {
    return "'" + model.tokenizer().decode(new int[] {token}).replace("\n", "\\n") + "'";
  }

  private static String top(LlmModel model, double[] p, int k) {
    Integer[] order = new Integer[p.length];
    for (int i = 0; i < p.length; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < k; i++) {
      s.append(i == 0 ? "" : ", ").append(quote(model, order[i])).append(String.format(Locale.ROOT, " %.3f", p[order[i]]));
    }
    return s.toString();
  }

  private static double entropyBits(double[] p) {
    double h = 0;
    for (double x : p) {
      h -= x > 0 ? x * Math.log(x) / Math.log(2) : 0;
    }
    return h;
  }

  private static int count(boolean[] keep) {
    int n = 0;
    for (boolean k : keep) {
      n += k ? 1 : 0;
    }
    return n;
  }
}
