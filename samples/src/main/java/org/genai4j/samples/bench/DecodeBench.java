package org.genai4j.samples.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import org.genai4j.common.ops.Params;
import org.genai4j.common.util.Threads;
import org.genai4j.llm.LlmModel;
import org.genai4j.llm.generate.CachedDecoder;
import org.genai4j.llm.generate.Generator;
import org.genai4j.llm.generate.Sampler;
import org.genai4j.llm.model.Gpt;
import org.genai4j.llm.model.GptConfig;
import org.genai4j.llm.tokenizer.CharTokenizer;

/**
 * Decoding speed with the KV cache: greedy tokens per second after a one-token prompt, over
 * several timed rounds (after a warmup round for the JIT), for the reference char GPT (random
 * weights; speed does not depend on them) or any model {@link LlmModel#open} reads, such as
 * llama2.c's stories260K (compare with {@code run.c}: {@code samples/scripts/decode-vs-llama2c.sh}).
 * Prints the model, threads and machine, each round, and ends with {@code tokens_per_s=N}, the median.
 */
public final class DecodeBench {
  private DecodeBench() {}

  /** Runs the bench on {@code model} (null: the reference GPT) for {@code rounds} rounds of {@code tokens} tokens. */
  public static double run(Path model, int tokens, int rounds, PrintStream out) {
    LlmModel m = model == null
        ? new LlmModel(new Gpt(GptConfig.reference(), Params.init(1)), CharTokenizer.fromCorpus(
            GptBench.syntheticCorpus()), 0)
        : LlmModel.open(model);
    GptConfig c = m.config();
    out.println("genai4j llm decode-bench: " + (model == null ? "reference char GPT (random weights)" : model) + "; "
        + c.nLayer() + " layers, " + c.nHead() + " heads (" + c.kvHeads() + " key/value), width " + c.nEmbd()
        + ", block " + c.blockSize() + ", vocab " + c.vocabSize() + ", " + m.parameterCount() + " parameters");
    out.println("greedy, KV cache, prompt [1], " + tokens + " tokens per round, " + rounds + " timed rounds after one"
        + " warmup round; ND4J threads " + Threads.current() + "; machine: " + Threads.machine());
    Generator g = new Generator(new CachedDecoder(m.gpt()), m.tokenizer(), Sampler.greedy());
    int[] prompt = {Math.min(1, c.vocabSize() - 1)};
    g.run(prompt, tokens, new Random(1), null, s -> {});
    double[] speeds = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      speeds[r] = g.run(prompt, tokens, new Random(1), null, s -> {}).tokensPerSecond();
      out.printf(Locale.ROOT, "round %d: %.0f tokens/s%n", r + 1, speeds[r]);
    }
    double[] sorted = speeds.clone();
    java.util.Arrays.sort(sorted);
    double median = sorted[rounds / 2];
    out.printf(Locale.ROOT, "tokens_per_s=%.0f%n", median);
    return median;
  }
}
