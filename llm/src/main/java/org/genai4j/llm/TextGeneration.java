package org.genai4j.llm;

import java.util.Random;
import java.util.function.Consumer;
import org.genai4j.llm.generate.CachedDecoder;
import org.genai4j.llm.generate.Decoder;
import org.genai4j.llm.generate.GenerationOptions;
import org.genai4j.llm.generate.Generator;
import org.genai4j.llm.generate.WindowDecoder;

/** Generates text from a prompt, streaming it as it is produced. */
public final class TextGeneration {
  private TextGeneration() {}

  /**
   * Continues {@code prompt} with up to {@code options.maxTokens()} tokens. Each piece of text is
   * passed to {@code stream} as soon as it is complete (the prompt itself is not streamed);
   * generation ends early when {@code options.stop()} appears (it is not included).
   *
   * @param stream receives the generated text piece by piece; may be null
   */
  public static Generator.Result generate(LlmModel model, String prompt, GenerationOptions options, Consumer<String> stream) {
    if (prompt == null || prompt.isEmpty()) {
      throw new IllegalArgumentException("the prompt is empty; give at least one character (e.g. \"\\n\")");
    }
    int[] tokens = model.tokenizer().encode(prompt);
    if (tokens.length == 0) {
      throw new IllegalArgumentException("the prompt encodes to no tokens");
    }
    return generate(model, tokens, options, stream);
  }

  /**
   * Continues the token ids {@code prompt} (for comparing ids with another implementation, or a
   * model without a tokenizer); otherwise as {@link #generate(LlmModel, String, GenerationOptions, Consumer)}.
   */
  public static Generator.Result generate(LlmModel model, int[] prompt, GenerationOptions options,
      Consumer<String> stream) {
    if (prompt == null || prompt.length == 0) {
      throw new IllegalArgumentException("the prompt has no token ids");
    }
    for (int id : prompt) {
      if (id < 0 || id >= model.config().vocabSize()) {
        throw new IllegalArgumentException("prompt token id " + id + " is outside the vocabulary 0.."
            + (model.config().vocabSize() - 1));
      }
    }
    Decoder decoder = options.kvCache() ? new CachedDecoder(model.gpt()) : new WindowDecoder(model.gpt());
    return new Generator(decoder, model.tokenizer(), options.sampler()).run(prompt, options.maxTokens(),
        new Random(options.seed()), options.stop(), stream == null ? s -> {} : stream);
  }

  /** The generated text only (no streaming). */
  public static String generate(LlmModel model, String prompt, GenerationOptions options) {
    return generate(model, prompt, options, null).text();
  }
}
