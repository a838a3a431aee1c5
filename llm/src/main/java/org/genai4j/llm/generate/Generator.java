package org.genai4j.llm.generate;

import java.util.Random;
import java.util.function.Consumer;
import org.genai4j.llm.tokenizer.Tokenizer;

/** The decoding loop: logits -> sampler -> token -> text stream, until the budget or the stop string. */
public final class Generator {

  /**
   * What a generation produced.
   *
   * @param text the generated text (without prompt and stop string)
   * @param tokens the generated token ids
   * @param seconds wall time of the decoding loop
   */
  public record Result(String text, int[] tokens, double seconds) {
    public double tokensPerSecond() {
      return tokens.length / Math.max(1e-9, seconds);
    }
  }

  private final Decoder decoder;
  private final Tokenizer tokenizer;
  private final Sampler sampler;

  public Generator(Decoder decoder, Tokenizer tokenizer, Sampler sampler) {
    this.decoder = decoder;
    this.tokenizer = tokenizer;
    this.sampler = sampler;
  }

  public Result run(int[] prompt, int maxTokens, Random rng, String stop, Consumer<String> stream) {
    long start = System.nanoTime();
    TextStream text = new TextStream(stream, stop);
    int[] out = new int[maxTokens];
    int n = 0;
    if (maxTokens > 0) {
      float[] logits = decoder.start(prompt);
      while (true) {
        int token = sampler.sample(logits, rng);
        out[n++] = token;
        if (text.add(tokenizer.tokenBytes(token)) || n == maxTokens) {
          break;
        }
        logits = decoder.append(token);
      }
    }
    text.finish();
    return new Result(text.text(), java.util.Arrays.copyOf(out, n), (System.nanoTime() - start) / 1e9);
  }
}
