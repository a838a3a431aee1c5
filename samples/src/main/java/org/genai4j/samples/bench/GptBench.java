package org.genai4j.samples.bench;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Random;
import org.genai4j.common.ops.Params;
import org.genai4j.common.train.LrSchedule;
import org.genai4j.common.train.OptimizerConfig;
import org.genai4j.common.train.Trainer;
import org.genai4j.common.train.TrainerConfig;
import org.genai4j.common.util.BenchTable;
import org.genai4j.common.util.Threads;
import org.genai4j.llm.LlmModel;
import org.genai4j.llm.generate.CachedDecoder;
import org.genai4j.llm.generate.Decoder;
import org.genai4j.llm.generate.Generator;
import org.genai4j.llm.generate.Sampler;
import org.genai4j.llm.generate.WindowDecoder;
import org.genai4j.llm.model.Gpt;
import org.genai4j.llm.model.GptConfig;
import org.genai4j.llm.model.GptTrainable;
import org.genai4j.llm.tokenizer.CharTokenizer;
import org.genai4j.llm.tokenizer.Tokenizer;
import org.genai4j.llm.train.TokenBatches;

/**
 * {@code genai4j llm bench}: the speed of the GPT in nanoGPT's Tiny Shakespeare CPU configuration
 * (4 layers, 4 heads, width 128, block 64, vocabulary 65, batch 12; AdamW, clipping 1.0) through
 * the {@link Trainer}: training tokens per second with the batch split over the trainer's threads
 * (the default), on one thread, and with dropout 0.1 (its ratio to the dropout-free step); and
 * generation tokens per second with the KV cache and recomputing the window. The training rows
 * alternate in two rounds of mirrored order, so a change of the machine's load hits all of them
 * alike. The last line is
 * {@code tokens_per_s=N}, the sharded dropout-free step's.
 */
public final class GptBench {
  private GptBench() {}

  /** What one training variant reached: tokens/s, wall and process-CPU milliseconds per step. */
  public record TrainSpeed(double tokensPerSecond, double msPerStep, double cpuMsPerStep) {}

  /** The measured figures. */
  public record Result(int threads, TrainSpeed sharded, TrainSpeed oneThread, TrainSpeed dropout,
      double cachedTokensPerSecond, double windowTokensPerSecond) {
    /** Tokens/s with dropout 0.1 over tokens/s without (both sharded). */
    public double dropoutRatio() {
      return dropout.tokensPerSecond() / sharded.tokensPerSecond();
    }
  }

  static final int BATCH = 12;
  private static final int WARMUP = 40;

  /** A training variant: its model, trainer settings and the time it has taken so far. */
  private static final class Variant {
    final GptTrainable model;
    final int threads;
    double seconds;
    double cpuMs;
    long steps;

    Variant(GptConfig config, int threads) {
      this.model = new GptTrainable(new Gpt(config, Params.init(1)));
      this.threads = threads;
    }

    void run(int steps, long seed, TokenBatches data, boolean timed) {
      OptimizerConfig adamW = OptimizerConfig.adamW(LrSchedule.constant(1e-4), 0.9, 0.99, 0.1);
      Trainer trainer = new Trainer(model, adamW,
          TrainerConfig.of(steps, seed).withClipNorm(1.0).withLogEvery(steps).withThreads(threads));
      long t0 = System.nanoTime();
      long cpu0 = StepTimes.processCpuNanos();
      trainer.fit(data);
      if (timed) {
        seconds += (System.nanoTime() - t0) / 1e9;
        cpuMs += (StepTimes.processCpuNanos() - cpu0) / 1e6;
        this.steps += steps;
      }
    }

    TrainSpeed speed(long tokensPerStep) {
      return new TrainSpeed(steps * tokensPerStep / seconds, 1000 * seconds / steps, cpuMs / steps);
    }
  }

  /** {@code [trainSteps] [generatedTokens]}: timed training steps per variant (default 30) and generated tokens (300). */
  public static void main(String[] args) {
    run(0, args.length > 0 ? Integer.parseInt(args[0]) : 30, args.length > 1 ? Integer.parseInt(args[1]) : 300,
        System.out);
  }

  /**
   * Measures {@code trainSteps} steps of each training variant (after {@value #WARMUP} warmup steps
   * each, for the JIT) and {@code genTokens} generated tokens each way, prints the table, and ends
   * with {@code tokens_per_s=N}.
   *
   * @param threads threads the sharded rows split the batch over (0: the trainer's default)
   */
  public static Result run(int threads, int trainSteps, int genTokens, PrintStream out) {
    String loadBefore = Threads.loadAverage();
    Tokenizer tok = CharTokenizer.fromCorpus(syntheticCorpus());
    GptConfig config = GptConfig.reference().withVocabSize(tok.vocabSize());
    TokenBatches data = new TokenBatches(tok.encode(syntheticCorpus()), BATCH, config.blockSize());
    long tokensPerStep = (long) BATCH * config.blockSize();
    int sharded = TrainerConfig.of(1, 1).withThreads(threads).effectiveThreads();

    Variant[] variants = {new Variant(config, sharded), new Variant(config, 1),
        new Variant(config.withDropout(0.1), sharded)};
    for (Variant v : variants) {
      v.run(WARMUP, 1, data, false);
    }
    // Two rounds in mirrored order (A B C, then C B A), so a load that drifts during the run
    // weighs on every row alike.
    int half = Math.max(1, trainSteps / 2);
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < variants.length; i++) {
        variants[round == 0 ? i : variants.length - 1 - i].run(half, 2 + round, data, true);
      }
    }

    LlmModel llm = new LlmModel(variants[0].model.model(), tok, 0);
    double cached = generate(new CachedDecoder(llm.gpt()), tok, genTokens);
    double window = generate(new WindowDecoder(llm.gpt()), tok, genTokens);
    Result r = new Result(sharded, variants[0].speed(tokensPerStep), variants[1].speed(tokensPerStep),
        variants[2].speed(tokensPerStep), cached, window);

    out.println("genai4j llm bench: GPT " + config.nLayer() + " layers, " + config.nHead() + " heads, width "
        + config.nEmbd() + ", block " + config.blockSize() + ", vocab " + config.vocabSize() + ", batch " + BATCH
        + ", " + llm.parameterCount() + " parameters; AdamW, clip 1.0; " + variants[0].steps
        + " timed steps per row after " + WARMUP + " warmup steps");
    out.println("training threads: " + sharded + " (sharded rows), 1 (one-thread row); load average before/after: "
        + loadBefore + " / " + Threads.loadAverage());
    BenchTable t = new BenchTable("GPT training and generation", "measure", "tokens/s", "ms/step", "CPU ms/step");
    row(t, "training, " + sharded + " thread" + (sharded > 1 ? "s" : "") + " (sharded)", r.sharded());
    row(t, "training, 1 thread", r.oneThread());
    row(t, "training, dropout 0.1, " + sharded + " thread" + (sharded > 1 ? "s" : ""), r.dropout());
    t.row("dropout 0.1 / no dropout", String.format(Locale.ROOT, "%.2fx", r.dropoutRatio()), "", "");
    t.row("generation, KV cache", round1(cached), "", "");
    t.row("generation, window recompute", round1(window), "", "");
    t.row("KV cache speed-up", String.format(Locale.ROOT, "%.2fx", cached / window), "", "");
    t.print(out);
    out.printf(Locale.ROOT, "tokens_per_s=%.0f%n", r.sharded().tokensPerSecond());
    return r;
  }

  private static void row(BenchTable t, String name, TrainSpeed s) {
    t.row(name, Math.rint(s.tokensPerSecond()), round1(s.msPerStep()), round1(s.cpuMsPerStep()));
  }

  private static String round1(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  /** Greedy generation of {@code tokens} tokens after a one-token prompt (after 20 warmup tokens): tokens/s. */
  private static double generate(Decoder decoder, Tokenizer tok, int tokens) {
    Generator g = new Generator(decoder, tok, Sampler.greedy());
    int[] prompt = {0};
    g.run(prompt, 20, new Random(1), null, s -> {});
    return g.run(prompt, tokens, new Random(1), null, s -> {}).tokensPerSecond();
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
}
