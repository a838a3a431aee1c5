package org.genai4j.llm;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.Random;
import org.genai4j.common.train.Batch;
import org.genai4j.common.train.LrSchedule;
import org.genai4j.common.train.OptimizerConfig;
import org.genai4j.common.train.Trainer;
import org.genai4j.common.train.TrainerConfig;
import org.genai4j.common.util.Shards;
import org.genai4j.common.util.Threads;
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
 * width 128, block 64, batch 12, vocabulary 65): training tokens per second through the Trainer
 * with the hand-written step (the default) and with SameDiff's, back to back, and generation tokens
 * per second with and without the KV cache. The hand-written step runs twice: with its batch split
 * over {@link Shards} threads (the default) and on one thread. Prints a table stating the threads, the machine and
 * its load (the machine may be shared; compare rows of one run).
 */
public final class LlmBench {
  private LlmBench() {}

  /** Training speed of one step implementation. */
  public record TrainSpeed(double tokensPerSecond, double msPerIteration, double cpuMsPerIteration,
      double gradientMsPerIteration, double gradientCpuMsPerIteration) {}

  /**
   * The measured figures: the hand-written training step (its batch split over {@code shards}
   * threads), the same on one thread, SameDiff's step, and generation.
   */
  public record Result(int shards, TrainSpeed handWritten, TrainSpeed handWrittenOneShard, TrainSpeed sameDiff,
      double cachedTokensPerSecond, double windowTokensPerSecond) {}

  /** The step implementations timed back to back: hand-written, hand-written on one shard, SameDiff. */
  private static final int FAST = 0;
  private static final int ONE_SHARD = 1;
  private static final int SAME_DIFF = 2;
  private static final int KINDS = 3;

  private static void use(GptModel model, int step, int configuredShards) {
    model.useFastStep(step != SAME_DIFF);
    Shards.setCount(step == ONE_SHARD ? 1 : configuredShards);
  }

  /** Runs with the default sizes; args: [trainIters] [generatedTokens]. */
  public static void main(String[] args) {
    int iters = args.length > 0 ? Integer.parseInt(args[0]) : 30;
    int tokens = args.length > 1 ? Integer.parseInt(args[1]) : 300;
    run(iters, tokens, System.out);
  }

  /**
   * Measures {@code trainIters} training steps of each step implementation (after 40 warmup steps
   * each, 5 for SameDiff's; the two alternate in halves so a change of machine load hits both) and
   * {@code genTokens} generated tokens each way, and prints the table to {@code out}.
   */
  public static Result run(int trainIters, int genTokens, PrintStream out) {
    String loadBefore = Threads.loadAverage();
    Tokenizer tok = CharTokenizer.fromCorpus(syntheticCorpus());
    GptConfig config = GptConfig.of(tok.vocabSize(), 4, 4, 128, 64);
    int batch = 12;
    GptModel model = new GptModel(config, batch, config.blockSize(), true, 1);
    int[] data = tok.encode(syntheticCorpus());
    var source = new org.genai4j.llm.train.TokenBatches(data, batch, config.blockSize());
    OptimizerConfig opt = OptimizerConfig.adamW(LrSchedule.constant(1e-4), 0.9, 0.99, 0.1);
    long tokensPerIter = (long) batch * config.blockSize();
    int configuredShards = Shards.configuredCount();
    int shards = Shards.countFor(batch);
    double[][] acc = new double[KINDS][3];
    for (int step = 0; step < KINDS; step++) {
      use(model, step, configuredShards);
      // Enough steps for the JIT to compile the hand-written step's loops (the first 20 ran 1.8x slow).
      int warmup = step == SAME_DIFF ? 5 : 40;
      new Trainer(model, opt, TrainerConfig.of(warmup, 1).withClipNorm(1.0).withLogEvery(warmup)).fit(source);
    }
    int half = Math.max(1, trainIters / 2);
    for (int round = 0; round < 2; round++) {
      for (int step = 0; step < KINDS; step++) {
        use(model, step, configuredShards);
        Trainer trainer = new Trainer(model, opt, TrainerConfig.of(half, 2 + round).withClipNorm(1.0).withLogEvery(half));
        long t0 = System.nanoTime();
        long cpu0 = processCpuNanos();
        trainer.fit(source);
        double[] a = acc[step];
        a[0] += (System.nanoTime() - t0) / 1e9;
        a[1] += (processCpuNanos() - cpu0) / 1e6;
        a[2] += half;
      }
    }
    double[] fast = acc[FAST];
    TrainSpeed handWritten = speed(fast, tokensPerIter, gradientMs(model, FAST, source, half, configuredShards));
    TrainSpeed oneShard = speed(acc[ONE_SHARD], tokensPerIter,
        gradientMs(model, ONE_SHARD, source, half, configuredShards));
    TrainSpeed viaSameDiff = speed(acc[SAME_DIFF], tokensPerIter,
        gradientMs(model, SAME_DIFF, source, half, configuredShards));
    use(model, FAST, configuredShards);

    LlmModel llm = LlmModel.of(model, tok, 0);
    int[] prompt = {0};
    Generator cached = new Generator(new CachedDecoder(llm.inference()), tok, Sampler.greedy());
    Generator window = new Generator(new WindowDecoder(llm.inference()), tok, Sampler.greedy());
    cached.run(prompt, 20, new Random(1), null, s -> {});
    window.run(prompt, 20, new Random(1), null, s -> {});
    double cachedTps = cached.run(prompt, genTokens, new Random(1), null, s -> {}).tokensPerSecond();
    double windowTps = window.run(prompt, genTokens, new Random(1), null, s -> {}).tokensPerSecond();
    Result r = new Result(shards, handWritten, oneShard, viaSameDiff, cachedTps, windowTps);

    out.println("genai4j llm bench: GPT " + config.nLayer() + " layers, " + config.nHead() + " heads, width "
        + config.nEmbd() + ", block " + config.blockSize() + ", vocab " + config.vocabSize() + ", batch " + batch
        + ", " + model.parameterCount() + " parameters; AdamW, clip 1.0; " + (int) fast[2] + " timed iters per step");
    out.println("machine: " + Threads.machine());
    out.println("load average before/after: " + loadBefore + " / " + Threads.loadAverage());
    out.printf("| measure                               | %-12s | %-12s | SameDiff     |%n",
        "hand-written", "1 shard");
    out.println("|                                       | " + String.format("%-12s", shards + " shard" + (shards > 1 ? "s" : ""))
        + " |              |              |");
    out.println("|---------------------------------------|--------------|--------------|--------------|");
    TrainSpeed[] all = {handWritten, oneShard, viaSameDiff};
    row(out, "training tokens/s", "%12.0f", all, TrainSpeed::tokensPerSecond);
    row(out, "training ms/iter", "%12.1f", all, TrainSpeed::msPerIteration);
    row(out, "training CPU ms/iter (all threads)", "%12.1f", all, TrainSpeed::cpuMsPerIteration);
    row(out, "loss + gradients only, ms/iter", "%12.1f", all, TrainSpeed::gradientMsPerIteration);
    row(out, "loss + gradients only, CPU ms/iter", "%12.1f", all, TrainSpeed::gradientCpuMsPerIteration);
    out.printf("| training speed-up vs SameDiff         | %11.2fx | %11.2fx |              |%n",
        handWritten.tokensPerSecond() / viaSameDiff.tokensPerSecond(),
        oneShard.tokensPerSecond() / viaSameDiff.tokensPerSecond());
    out.println("| measure                               | value        |");
    out.println("|---------------------------------------|--------------|");
    out.printf("| generation tokens/s, KV cache         | %12.1f |%n", r.cachedTokensPerSecond());
    out.printf("| generation tokens/s, window recompute | %12.1f |%n", r.windowTokensPerSecond());
    out.printf("| KV cache speed-up                     | %11.2fx |%n", r.cachedTokensPerSecond() / r.windowTokensPerSecond());
    return r;
  }

  private static void row(PrintStream out, String name, String format, TrainSpeed[] speeds,
      java.util.function.ToDoubleFunction<TrainSpeed> value) {
    StringBuilder sb = new StringBuilder(String.format("| %-37s |", name));
    for (TrainSpeed t : speeds) sb.append(' ').append(String.format(format, value.applyAsDouble(t))).append(" |");
    out.println(sb);
  }

  /** {seconds, cpu ms, iterations} -> speed. */
  private static TrainSpeed speed(double[] acc, long tokensPerIter, double[] gradientMs) {
    return new TrainSpeed(acc[2] * tokensPerIter / acc[0], 1000 * acc[0] / acc[2], acc[1] / acc[2], gradientMs[0],
        gradientMs[1]);
  }

  /** {wall, CPU} ms of the group's computeGradients alone (no clipping or optimizer step). */
  private static double[] gradientMs(GptModel model, int step, org.genai4j.llm.train.TokenBatches source,
      int iters, int configuredShards) {
    use(model, step, configuredShards);
    var group = model.parameterGroups().get(0);
    Random r = new Random(7);
    group.computeGradients(source.next(r));
    long t0 = System.nanoTime();
    long cpu0 = processCpuNanos();
    for (int i = 0; i < iters; i++) {
      group.computeGradients(source.next(r));
    }
    return new double[] {(System.nanoTime() - t0) / 1e6 / iters, (processCpuNanos() - cpu0) / 1e6 / iters};
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


}
