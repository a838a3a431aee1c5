package org.genai4j.samples.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.genai4j.common.train.TrainingResult;
import org.genai4j.datasets.TextCorpus;
import org.genai4j.llm.GptTrainOptions;
import org.genai4j.llm.GptTraining;
import org.genai4j.llm.InitFrom;
import org.genai4j.llm.LlmEvaluation;
import org.genai4j.llm.LlmModel;
import org.genai4j.llm.TextGeneration;
import org.genai4j.llm.checkpoint.HuggingFaceCheckpoint;
import org.genai4j.llm.checkpoint.ModelDescription;
import org.genai4j.llm.finetune.LoraConfig;
import org.genai4j.llm.finetune.LoraGpt;
import org.genai4j.llm.finetune.LoraRun;
import org.genai4j.llm.generate.GenerationOptions;
import org.genai4j.llm.model.GptConfig;
import org.genai4j.llm.model.PositionalEncoding;
import org.genai4j.llm.tokenizer.Tokenizers;
import org.genai4j.samples.bench.DecodeBench;
import org.genai4j.samples.bench.GptBench;
import org.genai4j.spark.SparkData;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code genai4j llm ...}: train, evaluate, sample and benchmark the GPT. */
@Command(name = "llm", mixinStandardHelpOptions = true,
    description = "A GPT (or Llama) written once from genai4j's ops: train, eval, generate, inspect, export, bench.",
    subcommands = {LlmCommand.Train.class, LlmCommand.Eval.class, LlmCommand.Generate.class, LlmCommand.Inspect.class,
        LlmCommand.Export.class, FinetuneCommand.class, ClassifyCommand.class, MergeLoraCommand.class, LlmCommand.Bench.class,
        LlmCommand.DecodeBenchCommand.class})
public final class LlmCommand {

  /** What {@code --model} accepts, for the options' descriptions. */
  static final String MODEL = "A run folder from 'llm train', a Hugging Face GPT-2 or Llama folder (config.json,"
      + " model.safetensors) or a llama2.c .bin file.";

  /** {@code genai4j llm train}. Defaults are nanoGPT's Tiny Shakespeare CPU configuration. */
  @Command(name = "train", mixinStandardHelpOptions = true, description = "Train a GPT on a text corpus.")
  static final class Train implements Callable<Integer> {
    @Mixin RunOptions run;
    @Mixin DataOptions data;
    @Option(names = "--tokenizer", defaultValue = "char", converter = LowerCase.class,
        description = "char (one token per character), bpe (trained on the corpus) or gpt2 (GPT-2's 50257 tokens).") String tokenizer;
    @Option(names = "--bpe-vocab", defaultValue = "512", description = "Vocabulary size of a trained BPE.") int bpeVocab;
    @Option(names = "--layers", defaultValue = "4", description = "Transformer blocks.") int layers;
    @Option(names = "--heads", defaultValue = "4", description = "Attention heads per block; must divide --embd.") int heads;
    @Option(names = "--embd", defaultValue = "128", description = "Model width.") int embd;
    @Option(names = "--block", defaultValue = "64", description = "Context length in tokens; with --init-from the"
        + " training windows' length, at most the model's context.") int block;
    @Option(names = "--batch", defaultValue = "12", description = "Sequences per micro-batch.") int batch;
    @Option(names = "--accum", defaultValue = "1", description = "Gradient accumulation micro-batches.") int accum;
    @Option(names = "--iters", defaultValue = "2000",
        description = "Optimizer steps; the cosine learning-rate decay ends at the last one.") int iters;
    @Option(names = "--lr", defaultValue = "1e-3", description = "Peak learning rate (AdamW).") double lr;
    @Option(names = "--min-lr", defaultValue = "1e-4", description = "Learning rate at the end of the cosine decay.") double minLr;
    @Option(names = "--warmup", defaultValue = "100", description = "Steps of linear learning-rate warmup.") int warmup;
    @Option(names = "--beta1", defaultValue = "0.9", description = "AdamW beta1.") double beta1;
    @Option(names = "--beta2", defaultValue = "0.99", description = "AdamW beta2.") double beta2;
    @Option(names = "--weight-decay", defaultValue = "0.1",
        description = "AdamW decoupled weight decay (matrices and embeddings).") double weightDecay;
    @Option(names = "--dropout", defaultValue = "0", description = "Dropout probability in [0, 1).") double dropout;
    @Option(names = "--arch", defaultValue = "gpt", description = "gpt (GPT-2's block, shaped by --positions, --norm,"
        + " --mlp) or llama (rotary positions, RMS norm, SwiGLU, no biases, untied head; --kv-heads).") String arch;
    @Option(names = "--kv-heads", defaultValue = "0",
        description = "Key/value heads of grouped-query attention, a divisor of --heads; 0: one per head.") int kvHeads;
    @Option(names = "--positions", defaultValue = "LEARNED", description = "learned, sinusoidal or rotary (any case).") PositionalEncoding positions;
    @Option(names = "--norm", defaultValue = "layer", description = "layer (GPT-2) or rms (Llama).") String norm;
    @Option(names = "--mlp", defaultValue = "gelu", description = "gelu (GPT-2) or swiglu (Llama).") String mlp;
    @Option(names = "--mlp-hidden", defaultValue = "0",
        description = "MLP hidden width; 0: 4 x width for gelu, 8/3 x width (multiple of 8) for swiglu.") int mlpHidden;
    @Option(names = "--eval-every", defaultValue = "250",
        description = "Steps between validation evaluations and checkpoints (0: only at the end).") int evalEvery;
    @Option(names = "--eval-batches", defaultValue = "20", description = "Validation batches per evaluation.") int evalBatches;
    @Mixin RunStartOptions start;
    @Mixin SparkOptions spark;
    @Option(names = "--out", required = true, description = "Run directory (model, tokenizer, checkpoints, metrics).") Path out;
    @Option(names = "--init-from", paramLabel = "MODEL", description = "Start from this model instead of random"
        + " weights (nanoGPT's init_from): " + MODEL + " Its shape and tokenizer are the run's; --block then"
        + " crops the training windows (default: the model's context).") Path initFrom;
    @Mixin LoraOptions lora;
    @Spec CommandSpec spec;

    /** The flags that shape the model or its tokenizer, which --init-from takes from the base. */
    private static final java.util.List<String> SHAPE = java.util.List.of("--tokenizer", "--bpe-vocab", "--layers",
        "--heads", "--embd", "--arch", "--kv-heads", "--positions", "--norm", "--mlp", "--mlp-hidden");

    @Override
    public Integer call() {
      run.apply();
      LoraConfig adapters = lora.config();
      if (adapters != null && initFrom == null) {
        throw new IllegalArgumentException("--lora-rank needs a base model to adapt: add --init-from MODEL (a run, a"
            + " Hugging Face GPT-2 folder or a llama2.c file)");
      }
      if (initFrom != null) {
        for (String flag : SHAPE) {
          if (spec.commandLine().getParseResult().hasMatchedOption(flag)) {
            throw new IllegalArgumentException(flag + " is the base model's with --init-from " + initFrom
                + "; drop " + flag);
          }
        }
      }
      if (warmup > iters) {
        throw new IllegalArgumentException("--warmup (" + warmup + ") must be <= --iters (" + iters + ")");
      }
      GptConfig config = switch (arch.toLowerCase(java.util.Locale.ROOT)) {
        case "gpt" -> GptConfig.reference().withShape(layers, heads, embd, block)
            .withPositional(positions).withNorm(GptConfig.Norm.parse(norm, "--norm"))
            .withMlp(GptConfig.Mlp.parse(mlp, "--mlp"), mlpHidden);
        case "llama" -> GptConfig.llama(GptConfig.reference().vocabSize(), layers, heads, 0, embd, block)
            .withMlp(GptConfig.Mlp.SWIGLU, mlpHidden);
        default -> throw new IllegalArgumentException("--arch must be gpt or llama, got '" + arch + "'");
      };
      if (kvHeads < 0 || (kvHeads > 0 && heads % kvHeads != 0)) {
        throw new IllegalArgumentException("--kv-heads must divide --heads (" + heads + "), got " + kvHeads);
      }
      config = config.withKvHeads(kvHeads).withDropout(dropout);
      GptTrainOptions opts = GptTrainOptions.reference(out)
          .withTokenizer(tokenizer, bpeVocab)
          .withBatch(batch, accum)
          .withIters(iters)
          .withLr(lr, minLr, warmup)
          .withBetas(beta1, beta2)
          .withWeightDecay(weightDecay)
          .withEval(evalEvery, evalBatches)
          .withSeed(run.seed)
          .withThreads(run.shards())
          .withStart(start.start());
      try {
        spark.readOnExecutors("genai4j llm train", data, false);
        TextCorpus corpus = data.text();
        GptConfig model = config;
        InitFrom init = initFrom == null ? null : new InitFrom(initFrom, adapters,
            spec.commandLine().getParseResult().hasMatchedOption("--block") ? block : 0);
        TrainingResult<LlmModel> r = spark.train("genai4j llm train", encoding(opts.tokenizer(), bpeVocab),
            listeners -> GptTraining.train(corpus.train(), corpus.validation(), model, init, opts, listeners));
        var eval = r.last() == null ? java.util.Map.<String, Double>of() : r.last().evaluation();
        System.out.printf(java.util.Locale.ROOT,
            "steps=%d train_loss=%.4f val_loss=%.4f best_val_loss=%.4f tokens_per_s=%.0f seconds=%.1f params=%d%n",
            r.model().step(), r.last() == null ? Double.NaN : r.last().loss(),
            eval.getOrDefault("val_loss", Double.NaN), eval.getOrDefault("best_val_loss", Double.NaN),
            r.unitsPerSecond(), r.seconds(), r.model().parameterCount());
        long total = r.model().parameterCount();
        long trained = adapters == null ? total : r.model().weights().list().stream()
            .filter(p -> LoraConfig.isAdapter(p.name())).mapToLong(p -> p.value().length()).sum();
        System.out.printf(java.util.Locale.ROOT, "trainable parameters: %,d of %,d (%.1f %%)%s%n", trained, total,
            100.0 * trained / total, adapters == null ? "" : "; the run holds the adapters and the base's path and"
            + " SHA-256 (" + LoraRun.FILE + "), not the base");
        System.out.println("model written to " + out);
        return 0;
      } finally {
        spark.release(); // when the run failed before Spark training started
      }
    }
  }

  /**
   * How Spark executors that read the corpus themselves turn it into training token ids: the
   * tokenizer GptTraining builds for a new run (a char vocabulary over training and validation
   * text) applied to the training part. The driver checks their ids against its own before step 1.
   */
  static SparkData.TextEncoding encoding(String tokenizer, int bpeVocab) {
    return (name, text) -> {
      TextCorpus corpus = new TextCorpus(name, text);
      String vocabularyText = tokenizer.equals("char") ? corpus.train() + corpus.validation() : corpus.train();
      return Tokenizers.create(tokenizer, vocabularyText, bpeVocab).encode(corpus.train());
    };
  }

  /** {@code genai4j llm eval}: loss, perplexity and bits per character on a split. */
  @Command(name = "eval", mixinStandardHelpOptions = true, description = "Evaluate a trained GPT on a split.")
  static final class Eval implements Callable<Integer> {
    @Mixin RunOptions run;
    @Mixin DataOptions data;
    @Option(names = "--model", required = true, description = MODEL) Path model;
    @Option(names = "--split", defaultValue = "val", converter = LowerCase.class, description = "train or val.") String split;
    @Option(names = "--batches", defaultValue = "200", description = "Batches of the split to evaluate.") int batches;

    @Override
    public Integer call() {
      run.apply();
      if (!split.equals("train") && !split.equals("val")) {
        throw new IllegalArgumentException("--split must be train or val, got '" + split + "'");
      }
      LlmModel m = LlmModel.open(model);
      TextCorpus corpus = data.text();
      String text = split.equals("train") ? corpus.train() : corpus.validation();
      LlmEvaluation.Result r = LlmEvaluation.evaluate(m, text, batches, run.seed);
      System.out.println(r.format(split));
      return 0;
    }
  }

  /** {@code genai4j llm generate}: streams generated text to the terminal. */
  @Command(name = "generate", mixinStandardHelpOptions = true, description = "Generate text from a trained GPT.")
  static final class Generate implements Callable<Integer> {
    @Mixin RunOptions run;
    @Option(names = "--model", required = true, description = MODEL) Path model;
    @Option(names = "--prompt", defaultValue = "\n", description = "The text to continue.") String prompt;
    @Option(names = "--prompt-ids", split = ",",
        description = "The prompt as token ids, e.g. 1,2,3 (instead of --prompt; to compare with another"
            + " implementation, or for a model without a tokenizer).") int[] promptIds;
    @Option(names = "--print-ids", description = "Print the generated token ids (comma-separated) instead of text.")
    boolean printIds;
    @Option(names = "--tokens", defaultValue = "300", description = "Tokens to generate.") int tokens;
    @Option(names = "--temperature", defaultValue = "0.8", description = "0 = greedy.") double temperature;
    @Option(names = "--top-k", defaultValue = "0", description = "0 = off.") int topK;
    @Option(names = "--top-p", defaultValue = "1.0", description = "1 = off.") double topP;
    @Option(names = "--stop", description = "Stop when this string appears.") String stop;
    @Option(names = "--no-kv-cache", description = "Recompute the whole window for every token.") boolean noCache;

    @Override
    public Integer call() {
      run.apply();
      LlmModel m = LlmModel.open(model);
      GenerationOptions opts = GenerationOptions.defaults().withMaxTokens(tokens).withTemperature(temperature)
          .withTopK(topK).withTopP(topP).withSeed(run.seed).withStop(stop).withKvCache(!noCache);
      java.util.function.Consumer<String> stream = printIds ? null : piece -> {
        System.out.print(piece);
        System.out.flush();
      };
      if (!printIds) {
        System.out.print(promptIds == null ? prompt : m.tokenizer().decode(promptIds));
      }
      var result = promptIds == null ? TextGeneration.generate(m, prompt, opts, stream)
          : TextGeneration.generate(m, promptIds, opts, stream);
      if (printIds) {
        System.out.print(java.util.Arrays.stream(result.tokens()).mapToObj(Integer::toString)
            .collect(java.util.stream.Collectors.joining(",")));
      }
      System.out.println();
      return 0;
    }
  }

  /** {@code genai4j llm inspect}: what a model is, wherever it comes from. */
  @Command(name = "inspect", mixinStandardHelpOptions = true,
      description = "Print a model's format, configuration, parameter count, stored data types and tokenizer.")
  static final class Inspect implements Callable<Integer> {
    @Option(names = "--model", required = true, description = MODEL) Path model;

    @Override
    public Integer call() {
      System.out.println(ModelDescription.of(model).lines());
      return 0;
    }
  }

  /** {@code genai4j llm export}: a Hugging Face folder from any model. */
  @Command(name = "export", mixinStandardHelpOptions = true,
      description = "Write a model as a Hugging Face folder that transformers' from_pretrained loads.")
  static final class Export implements Callable<Integer> {
    @Option(names = "--model", required = true, description = MODEL) Path model;
    @Option(names = "--format", defaultValue = "hf", converter = LowerCase.class, description = "hf (Hugging Face: config.json, model.safetensors"
        + " and GPT-2's vocab.json and merges.txt); the only format so far.") String format;
    @Option(names = "--out", required = true, description = "A new or empty folder.") Path out;

    @Override
    public Integer call() {
      if (!format.equalsIgnoreCase("hf")) {
        throw new IllegalArgumentException("--format must be hf, got '" + format + "'");
      }
      LlmModel m = LlmModel.open(model);
      // A LoRA run goes out as one model: its adapters folded into the base's weights.
      HuggingFaceCheckpoint.Exported e = HuggingFaceCheckpoint.export(LoraGpt.hasAdapters(m) ? LoraGpt.merged(m) : m,
          out);
      System.out.println("wrote " + e.architecture() + " to " + e.folder() + ": " + String.join(", ", e.files()));
      System.out.println("tokenizer: " + e.tokenizerNote());
      return 0;
    }
  }

  /** {@code genai4j llm decode-bench}: generation speed with the KV cache. */
  @Command(name = "decode-bench", mixinStandardHelpOptions = true,
      description = "Benchmark greedy decoding with the KV cache (tokens/s) of the reference GPT or of --model; the"
          + " last line is tokens_per_s=N.")
  static final class DecodeBenchCommand implements Callable<Integer> {
    @Mixin RunOptions run;
    @Option(names = "--model", description = MODEL + " Default: the reference char GPT.") Path model;
    @Option(names = "--tokens", defaultValue = "256", description = "Generated tokens per round.") int tokens;
    @Option(names = "--rounds", defaultValue = "5", description = "Timed rounds (the median is reported).") int rounds;

    @Override
    public Integer call() {
      run.apply();
      if (tokens < 1 || rounds < 1) {
        throw new IllegalArgumentException("--tokens and --rounds must be >= 1");
      }
      DecodeBench.run(model, tokens, rounds, System.out);
      return 0;
    }
  }

  /** {@code genai4j llm bench}: training and generation throughput. */
  @Command(name = "bench", mixinStandardHelpOptions = true,
      description = "Benchmark training (sharded, one thread, with dropout) and generation (with and without the"
          + " KV cache) of the reference config; the last line is tokens_per_s=N.")
  static final class Bench implements Callable<Integer> {
    @Mixin RunOptions run;
    @Option(names = "--iters", defaultValue = "30", description = "Timed training steps per row.") int iters;
    @Option(names = "--tokens", defaultValue = "300", description = "Generated tokens per generation row.") int tokens;

    @Override
    public Integer call() {
      run.apply();
      if (iters < 2) {
        throw new IllegalArgumentException("--iters must be >= 2, got " + iters);
      }
      if (tokens < 1) {
        throw new IllegalArgumentException("--tokens must be >= 1, got " + tokens);
      }
      GptBench.run(run.shards(), iters, tokens, System.out);
      return 0;
    }
  }
}
