package org.genai4j.llm;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.genai4j.common.train.Batch;
import org.genai4j.common.train.LrSchedule;
import org.genai4j.common.train.OptimizerConfig;
import org.genai4j.common.train.Trainer;
import org.genai4j.common.train.TrainerConfig;
import org.genai4j.llm.generate.CachedDecoder;
import org.genai4j.llm.generate.Generator;
import org.genai4j.llm.generate.Sampler;
import org.genai4j.llm.generate.WindowDecoder;
import org.genai4j.llm.model.GptConfig;
import org.genai4j.llm.model.GptModel;
import org.genai4j.llm.tokenizer.CharTokenizer;
import org.genai4j.llm.tokenizer.Tokenizer;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Speed of the reference configuration (nanoGPT's Tiny Shakespeare CPU run: 4 layers, 4 heads,
 * width 128, block 64, batch 12, vocabulary 65): training tokens per second through the Trainer,
 * and generation tokens per second with and without the KV cache. Prints a table stating the
 * threads, the machine and its load (the machine may be shared; compare rows of one run).
 */
public final class LlmBench {
  private LlmBench() {}

  /** The measured figures. */
  public record Result(double trainTokensPerSecond, double msPerIteration, double cpuMsPerIteration,
      double cachedTokensPerSecond, double windowTokensPerSecond) {}

  /** Runs with the default sizes; args: [trainIters] [generatedTokens]. */
  public static void main(String[] args) {
    int iters = args.length > 0 ? Integer.parseInt(args[0]) : 30;
    int tokens = args.length > 1 ? Integer.parseInt(args[1]) : 300;
    run(iters, tokens, System.out);
  }

  /**
   * Measures {@code trainIters} training steps (after 5 warmup steps) and {@code genTokens}
   * generated tokens each way, and prints the table to {@code out}.
   */
  public static Result run(int trainIters, int genTokens, PrintStream out) {
    String loadBefore = loadAverage();
    Tokenizer tok = CharTokenizer.fromCorpus(syntheticCorpus());
    GptConfig config = GptConfig.of(tok.vocabSize(), 4, 4, 128, 64);
    int batch = 12;
    GptModel model = new GptModel(config, batch, config.blockSize(), true, 1);
    int[] data = tok.encode(syntheticCorpus());
    var source = new org.genai4j.llm.train.TokenBatches(data, batch, config.blockSize());
    OptimizerConfig opt = OptimizerConfig.adamW(LrSchedule.constant(1e-4), 0.9, 0.99, 0.1);
    Trainer warm = new Trainer(model, opt, TrainerConfig.of(5, 1).withClipNorm(1.0).withLogEvery(5));
    warm.fit(source);
    Trainer trainer = new Trainer(model, opt, TrainerConfig.of(trainIters, 2).withClipNorm(1.0).withLogEvery(trainIters));
    long t0 = System.nanoTime();
    long cpu0 = processCpuNanos();
    trainer.fit(source);
    double trainSeconds = (System.nanoTime() - t0) / 1e9;
    double cpuMs = (processCpuNanos() - cpu0) / 1e6 / trainIters;
    double trainTps = (double) trainIters * batch * config.blockSize() / trainSeconds;

    LlmModel llm = LlmModel.of(model, tok, 0);
    int[] prompt = {0};
    Generator cached = new Generator(new CachedDecoder(llm.inference()), tok, Sampler.greedy());
    Generator window = new Generator(new WindowDecoder(llm.inference()), tok, Sampler.greedy());
    cached.run(prompt, 20, new Random(1), null, s -> {});
    window.run(prompt, 20, new Random(1), null, s -> {});
    double cachedTps = cached.run(prompt, genTokens, new Random(1), null, s -> {}).tokensPerSecond();
    double windowTps = window.run(prompt, genTokens, new Random(1), null, s -> {}).tokensPerSecond();
    Result r = new Result(trainTps, 1000 * trainSeconds / trainIters, cpuMs, cachedTps, windowTps);

    out.println("genai4j llm bench: GPT " + config.nLayer() + " layers, " + config.nHead() + " heads, width "
        + config.nEmbd() + ", block " + config.blockSize() + ", vocab " + config.vocabSize() + ", batch " + batch
        + ", " + model.parameterCount() + " parameters");
    out.println("machine: " + cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " cores; ND4J threads "
        + Nd4j.getEnvironment().maxThreads() + " (OMP_NUM_THREADS=" + System.getenv("OMP_NUM_THREADS") + ")");
    out.println("load average before/after: " + loadBefore + " / " + loadAverage());
    out.println("| measure                               | value        |");
    out.println("|---------------------------------------|--------------|");
    out.printf("| training tokens/s (%3d iters)         | %12.0f |%n", trainIters, r.trainTokensPerSecond());
    out.printf("| training ms/iter                      | %12.1f |%n", r.msPerIteration());
    out.printf("| training CPU ms/iter (all threads)    | %12.1f |%n", r.cpuMsPerIteration());
    out.printf("| generation tokens/s, KV cache         | %12.1f |%n", r.cachedTokensPerSecond());
    out.printf("| generation tokens/s, window recompute | %12.1f |%n", r.windowTokensPerSecond());
    out.printf("| KV cache speed-up                     | %11.2fx |%n", r.cachedTokensPerSecond() / r.windowTokensPerSecond());
    return r;
  }

  /** Text with the 65 characters of Tiny Shakespeare's vocabulary, so no data file is needed. */
  static String syntheticCorpus() {
    String chars = "\n !$&',-.3:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    Random r = new Random(0);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 20000; i++) {
      sb.append(chars.charAt(r.nextInt(chars.length())));
    }
    return sb.toString();
  }

  /** CPU time of this process (all threads): under contention, the cost that wall time hides. */
  static long processCpuNanos() {
    var os = ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0;
  }

  static String loadAverage() {
    double l = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    return l < 0 ? "n/a" : String.format("%.2f", l);
  }

  static String cpuModel() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(s -> s.startsWith("model name"))
          .findFirst().map(s -> s.substring(s.indexOf(':') + 1).trim()).orElse(System.getProperty("os.arch"));
    } catch (Exception e) {
      return System.getProperty("os.arch");
    }
  }
}
