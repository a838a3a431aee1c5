package org.genai4j.samples.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.genai4j.common.ops.Params;
import org.genai4j.common.train.LrSchedule;
import org.genai4j.common.train.OptimizerConfig;
import org.genai4j.common.train.StepRecord;
import org.genai4j.common.train.Trainer;
import org.genai4j.common.train.TrainerConfig;
import org.genai4j.common.util.BenchTable;
import org.genai4j.common.util.Threads;
import org.genai4j.llm.model.Gpt;
import org.genai4j.llm.model.GptConfig;
import org.genai4j.llm.model.GptTrainable;
import org.genai4j.llm.tokenizer.CharTokenizer;
import org.genai4j.llm.tokenizer.Tokenizer;
import org.genai4j.llm.train.TokenBatches;
import org.genai4j.spark.SparkContexts;
import org.genai4j.spark.SparkTrainer;

/**
 * Training speed of the reference GPT (nanoGPT's Tiny Shakespeare CPU configuration, batch 12) on
 * Spark in local mode against plain training: tokens per second of the {@link Trainer} on its
 * threads (what {@code llm train} does), and of synchronous Spark training with 1 and 2 partitions
 * on {@code local[2]}, plus where a Spark step's time goes (the slowest task's compute, the rest of
 * the job, the broadcast). Rows alternate in two rounds of mirrored order, so drifting load hits
 * them alike. Run it with the JDK flags Spark needs (as {@code ./genai4j} sets them):
 *
 * <pre>java $FLAGS -cp $(cat samples/target/classpath.txt) org.genai4j.samples.bench.SparkBench [steps] [--tiny]</pre>
 *
 * The last line is {@code tokens_per_s=N}, the 2-partition Spark row's.
 */
public final class SparkBench {
  private SparkBench() {}

  private static final int BATCH = 12;

  /** One way of training, its trainer settings and the time it has taken so far. */
  private static final class Row {
    final String name;
    final GptTrainable model;
    final int partitions;
    double seconds;
    long steps;
    final List<Map<String, Double>> sparkMetrics = new ArrayList<>();

    Row(String name, GptConfig config, int partitions) {
      this.name = name;
      this.model = new GptTrainable(new Gpt(config, Params.init(1)));
      this.partitions = partitions;
    }

    void run(JavaSparkContext spark, int steps, long seed, TokenBatches data, boolean timed) {
      OptimizerConfig adamW = OptimizerConfig.adamW(LrSchedule.constant(1e-4), 0.9, 0.99, 0.1);
      Trainer trainer = new Trainer(model, adamW,
          TrainerConfig.of(steps, seed).withClipNorm(1.0).withLogEvery(steps));
      if (partitions > 0) {
        trainer.addListener(new SparkTrainer(spark, partitions));
      }
      List<StepRecord> records = new ArrayList<>();
      trainer.addListener(records::add);
      long t0 = System.nanoTime();
      trainer.fit(data);
      if (timed) {
        seconds += (System.nanoTime() - t0) / 1e9;
        this.steps += steps;
        if (partitions > 0) {
          sparkMetrics.add(records.get(records.size() - 1).metrics());
        }
      }
    }

    double tokensPerSecond(long tokensPerStep) {
      return steps * tokensPerStep / seconds;
    }

    /** The mean of a Spark time metric over the timed runs, in ms per step. */
    double ms(String key) {
      return 1000 * sparkMetrics.stream().mapToDouble(m -> m.getOrDefault(key, Double.NaN)).average().orElse(Double.NaN);
    }
  }

  /** {@code [steps] [--tiny]}: timed steps per row (default 20); {@code --tiny} for a model that only checks the bench runs. */
  public static void main(String[] args) {
    int steps = 20;
    boolean tiny = false;
    for (String a : args) {
      if (a.equals("--tiny")) {
        tiny = true;
      } else {
        steps = Integer.parseInt(a);
      }
    }
    String loadBefore = Threads.loadAverage();
    String corpus = GptBench.syntheticCorpus();
    Tokenizer tok = CharTokenizer.fromCorpus(corpus);
    GptConfig config = tiny ? GptConfig.of(tok.vocabSize(), 1, 2, 16, 16)
        : GptConfig.reference().withVocabSize(tok.vocabSize());
    TokenBatches data = new TokenBatches(tok.encode(corpus), BATCH, config.blockSize());
    long tokensPerStep = (long) BATCH * config.blockSize();
    int warmup = tiny ? 2 : 20;
    int threads = TrainerConfig.of(1, 1).effectiveThreads();

    JavaSparkContext spark = SparkContexts.start("local[2]", "genai4j spark bench");
    Row[] rows = {new Row("plain Trainer, " + threads + " thread" + (threads > 1 ? "s" : "") + " (llm train)", config, 0),
        new Row("Spark local[2], 1 partition", config, 1), new Row("Spark local[2], 2 partitions", config, 2)};
    try {
      for (Row r : rows) {
        r.run(spark, warmup, 1, data, false);
      }
      int half = Math.max(1, steps / 2);
      for (int round = 0; round < 2; round++) {
        for (int i = 0; i < rows.length; i++) {
          rows[round == 0 ? i : rows.length - 1 - i].run(spark, half, 2 + round, data, true);
        }
      }
    } finally {
      spark.stop();
    }

    System.out.println("genai4j spark bench: GPT " + config.nLayer() + " layers, " + config.nHead() + " heads, width "
        + config.nEmbd() + ", block " + config.blockSize() + ", vocab " + config.vocabSize() + ", batch " + BATCH
        + ", " + rows[0].model.parameterCount() + " parameters; AdamW, clip 1.0; " + rows[0].steps
        + " timed steps per row after " + warmup + " warmup steps; synchronous Spark steps");
    System.out.println("threads: the plain Trainer splits the batch over " + threads + "; on Spark each partition is"
        + " one task of local[2] on one thread");
    System.out.println("load average before/after: " + loadBefore + " / " + Threads.loadAverage());
    BenchTable t = new BenchTable("GPT training on Spark (local mode)", "row", "tokens/s", "ms/step",
        "compute ms", "job rest ms", "broadcast ms");
    for (Row r : rows) {
      boolean onSpark = r.partitions > 0;
      t.row(r.name, Math.rint(r.tokensPerSecond(tokensPerStep)), round1(1000 * r.seconds / r.steps),
          onSpark ? round1(r.ms("spark/compute_s")) : "", onSpark ? round1(r.ms("spark/aggregate_s")) : "",
          onSpark ? round1(r.ms("spark/broadcast_s")) : "");
    }
    t.print(System.out);
    Row two = rows[2];
    System.out.printf(Locale.ROOT, "spark overhead per step (2 partitions): %.1f ms beyond the slowest task's compute"
        + " (%.1f ms job, %.1f ms broadcast)%n", two.ms("spark/aggregate_s") + two.ms("spark/broadcast_s"),
        two.ms("spark/aggregate_s"), two.ms("spark/broadcast_s"));
    System.out.printf(Locale.ROOT, "tokens_per_s=%.0f%n", two.tokensPerSecond(tokensPerStep));
  }

  private static String round1(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }
}
