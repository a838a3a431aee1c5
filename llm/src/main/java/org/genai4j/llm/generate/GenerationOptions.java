package org.genai4j.llm.generate;

/**
 * How to generate text.
 *
 * @param maxTokens tokens to generate at most
 * @param temperature softmax temperature; 0 means greedy (always the most likely token)
 * @param topK keep only the k most likely tokens (0: all)
 * @param topP keep the smallest set of most likely tokens whose probability reaches p (1: all)
 * @param seed seed of the sampling generator: the same seed gives the same text
 * @param stop stop (and cut the output) when this string appears; null or empty for none
 * @param kvCache decode with the key/value cache (true) or recompute the whole window per token
 */
public record GenerationOptions(
    int maxTokens, double temperature, int topK, double topP, long seed, String stop, boolean kvCache) {

  public GenerationOptions {
    if (maxTokens < 0) throw new IllegalArgumentException("maxTokens must be >= 0, got " + maxTokens);
    if (!(temperature >= 0)) throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
    if (topK < 0) throw new IllegalArgumentException("topK must be >= 0 (0 = off), got " + topK);
    if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("topP must be in (0, 1] (1 = off), got " + topP);
  }

  /** nanoGPT's sample.py defaults: 500 tokens, temperature 0.8, top-k 200, seed 1337, KV cache on. */
  public static GenerationOptions defaults() {
    return new GenerationOptions(500, 0.8, 200, 1.0, 1337, null, true);
  }

  public GenerationOptions withMaxTokens(int n) {
    return new GenerationOptions(n, temperature, topK, topP, seed, stop, kvCache);
  }

  public GenerationOptions withTemperature(double t) {
    return new GenerationOptions(maxTokens, t, topK, topP, seed, stop, kvCache);
  }

  public GenerationOptions withTopK(int k) {
    return new GenerationOptions(maxTokens, temperature, k, topP, seed, stop, kvCache);
  }

  public GenerationOptions withTopP(double p) {
    return new GenerationOptions(maxTokens, temperature, topK, p, seed, stop, kvCache);
  }

  public GenerationOptions withSeed(long s) {
    return new GenerationOptions(maxTokens, temperature, topK, topP, s, stop, kvCache);
  }

  public GenerationOptions withStop(String s) {
    return new GenerationOptions(maxTokens, temperature, topK, topP, seed, s, kvCache);
  }

  public GenerationOptions withKvCache(boolean on) {
    return new GenerationOptions(maxTokens, temperature, topK, topP, seed, stop, on);
  }

  /** The sampler these options describe. */
  public Sampler sampler() {
    return Sampler.of(temperature, topK, topP);
  }
}
