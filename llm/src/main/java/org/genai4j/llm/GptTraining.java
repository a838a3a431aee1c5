package org.genai4j.llm;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.genai4j.common.ops.Params;
import org.genai4j.common.train.LrSchedule;
import org.genai4j.common.train.MetricsLogListener;
import org.genai4j.common.train.OptimizerConfig;
import org.genai4j.common.train.ProgressBarListener;
import org.genai4j.common.train.RunDir;
import org.genai4j.common.train.RunFolder;
import org.genai4j.common.train.Trainer;
import org.genai4j.common.util.Parallel;
import org.genai4j.common.train.TrainerConfig;
import org.genai4j.common.train.TrainingListener;
import org.genai4j.common.train.TrainingResult;
import org.genai4j.common.util.ModelMemory;
import org.genai4j.llm.finetune.BaseReference;
import org.genai4j.llm.finetune.LoraGpt;
import org.genai4j.llm.finetune.LoraRun;
import org.genai4j.llm.model.Gpt;
import org.genai4j.llm.model.GptConfig;
import org.genai4j.llm.model.GptTrainable;
import org.genai4j.llm.tokenizer.Tokenizer;
import org.genai4j.llm.tokenizer.Tokenizers;
import org.genai4j.llm.train.TokenBatches;

/**
 * Trains a GPT on a text through common's {@link Trainer}: AdamW with warmup and cosine decay,
 * gradient clipping and accumulation, batches split over threads, validation every {@code
 * evalEvery} steps, checkpoints, a progress bar and {@code metrics.jsonl}. The run folder is
 * {@link RunDir}'s plus {@code tokenizer.json}; {@link LlmModel#load} reads the model back.
 */
public final class GptTraining {
  private GptTraining() {}

  /** The CLI flags of the options and configuration keys a resumed run compares. */
  private static final Map<String, String> FLAGS = Map.ofEntries(
      Map.entry("tokenizer", "--tokenizer"), Map.entry("bpeVocabSize", "--bpe-vocab"),
      Map.entry("batchSize", "--batch"), Map.entry("accumulation", "--accum"), Map.entry("iters", "--iters"),
      Map.entry("lr", "--lr"), Map.entry("minLr", "--min-lr"), Map.entry("warmup", "--warmup"),
      Map.entry("lrDecayIters", "--iters (end of the lr decay)"), Map.entry("beta1", "--beta1"),
      Map.entry("beta2", "--beta2"), Map.entry("weightDecay", "--weight-decay"), Map.entry("clipNorm", "clip norm"),
      Map.entry("evalBatches", "--eval-batches"), Map.entry("seed", "--seed"), Map.entry("nLayer", "--layers"),
      Map.entry("nlayer", "--layers"), Map.entry("nHead", "--heads"), Map.entry("nhead", "--heads"),
      Map.entry("nEmbd", "--embd"), Map.entry("nembd", "--embd"), Map.entry("blockSize", "--block"),
      Map.entry("dropout", "--dropout"), Map.entry("positional", "--positions"), Map.entry("norm", "--norm"),
      Map.entry("mlp", "--mlp"), Map.entry("mlpHidden", "--mlp-hidden"), Map.entry("vocabSize", "vocabulary size"),
      Map.entry("initFrom", "--init-from"), Map.entry("window", "--block"), Map.entry("rank", "--lora-rank"), Map.entry("alpha", "--lora-alpha"),
      Map.entry("targets", "--lora-targets"), Map.entry("base", "the base model (--init-from)"));
  /**
   * Options a resumed run may change freely: where and how fast it runs, and how often it logs and
   * evaluates (evaluation and logging read the model, they do not change its steps).
   */
  private static final java.util.Set<String> HARMLESS = java.util.Set.of("threads", "progressBar", "outDir",
      "start", "resume", "logEvery", "evalEvery");

  /** Seed of the validation windows: every evaluation of a run sees the same batches. */
  public static final long EVAL_SEED = 4242;

  /** Trains with the listeners the options ask for. */
  public static TrainingResult<LlmModel> train(String trainText, String validationText, GptConfig config,
      GptTrainOptions options) {
    return train(trainText, validationText, config, options, List.of());
  }

  /**
   * Trains a GPT of shape {@code config} on {@code trainText}, evaluating on {@code
   * validationText} (null: no evaluation, no best checkpoint). The vocabulary is the tokenizer's:
   * {@code config.vocabSize()} is replaced by it. With {@code options.resume()} the run in {@code
   * options.outDir()} continues from its last checkpoint, with its saved tokenizer, and equals an
   * uninterrupted run; otherwise that folder must be empty or hold a run that {@code options.start()}
   * overwrites ({@link RunFolder}).
   *
   * @param extraListeners further listeners (e.g. a time budget, a test collecting records)
   * @return the model as it is after the last step, and this call's steps and throughput (tokens/s)
   */
  public static TrainingResult<LlmModel> train(String trainText, String validationText, GptConfig config,
      GptTrainOptions options, List<TrainingListener> extraListeners) {
    return train(trainText, validationText, config, null, options, extraListeners);
  }

  /**
   * As {@link #train(String, String, GptConfig, GptTrainOptions, List)}, starting from the model
   * {@code init} names (nanoGPT's {@code init_from}) instead of random weights: its configuration
   * (with {@code config}'s dropout) and tokenizer are the run's. With LoRA ({@code init.lora()})
   * only the adapters train, the base stays bit-identical, and the run folder holds the adapters
   * and {@code lora.json} (the base's path and SHA-256), never the base's weights; {@link
   * LlmModel#load} opens the base and adds them. Resuming such a run checks the base is unchanged.
   */
  public static TrainingResult<LlmModel> train(String trainText, String validationText, GptConfig config,
      InitFrom init, GptTrainOptions options, List<TrainingListener> extraListeners) {
    Path out = options.outDir();
    try (RunFolder run = out == null ? null : RunFolder.open(out, options.start())) {
      return train(run, trainText, validationText, config, init, options, extraListeners);
    }
  }

  private static TrainingResult<LlmModel> train(RunFolder run, String trainText, String validationText,
      GptConfig config, InitFrom init, GptTrainOptions options, List<TrainingListener> extraListeners) {
    Path out = options.outDir();
    boolean resuming = run != null && run.resuming();
    boolean wantsLora = init != null && init.lora() != null;
    if (resuming && wantsLora != LoraRun.isIn(out)) {
      throw new IllegalArgumentException("--resume: the run in " + out + " was trained " + (wantsLora
          ? "without LoRA; drop --lora-rank" : "with LoRA adapters; give --init-from and --lora-rank as it was"));
    }
    LoraRun lora = init == null || init.lora() == null ? null : loraRun(init, out, resuming);
    // A resumed LoRA run checks its base against the stored SHA-256; a new one has just hashed it.
    LlmModel base = init == null ? null : lora != null && resuming ? lora.base().open(out)
        : LlmModel.open(init.model());
    if (base != null && LoraGpt.hasAdapters(base)) {
      base = LoraGpt.merged(base); // a LoRA run to continue whole: its adapters folded in first
    }
    Tokenizer tokenizer = resuming
        ? Tokenizers.load(out)
        : base != null ? base.tokenizer()
        // The char vocabulary covers the validation text too, as nanoGPT's prepare.py does.
        : Tokenizers.create(options.tokenizer(),
            options.tokenizer().equals("char") && validationText != null ? trainText + validationText : trainText,
            options.bpeVocabSize());
    GptConfig model = base != null ? base.config().withDropout(config.dropout())
        : config.withVocabSize(tokenizer.vocabSize());
    ModelMemory.checkTraining("the GPT (" + model.nLayer() + " layers of width " + model.nEmbd() + ")",
        model.parameterCount());
    // A run from a model may train on windows shorter than its context (nanoGPT's cropped block_size).
    int window = init != null && init.window() > 0 ? init.window() : model.blockSize();
    if (window > model.blockSize()) {
      throw new IllegalArgumentException("--block " + window + " exceeds the context of the model given with"
          + " --init-from (" + model.blockSize() + " tokens)");
    }
    int[] train = tokenizer.encode(trainText);
    int[] validation = validationText == null ? null : tokenizer.encode(validationText);
    if (validation != null && validation.length < window + 1) {
      throw new IllegalArgumentException("the validation text has " + validation.length + " tokens; at least "
          + (window + 1) + " are needed for one window of block size " + window);
    }
    TokenBatches batches = new TokenBatches(train, options.batchSize(), window);

    Params params = Params.init(options.seed());
    Gpt gpt = lora != null ? LoraGpt.build(model, params, lora.config()) : new Gpt(model, params);
    if (base != null) {
      LoraRun.copyBase(base.weights(), params, out == null ? init.model() : out);
      base = null; // its weights are copied: let them go
    }
    GptTrainable trainable = lora != null ? LoraGpt.trainable(gpt, lora.config()) : new GptTrainable(gpt);
    OptimizerConfig optimizer = OptimizerConfig.adamW(
        LrSchedule.warmupCosine(options.lr(), options.minLr(), options.warmup(), options.lrDecayIters()),
        options.beta1(), options.beta2(), options.weightDecay());
    TrainerConfig tc = TrainerConfig.of(options.iters(), options.seed())
        .withAccumulation(options.accumulation())
        .withClipNorm(options.clipNorm())
        .withLogEvery(options.logEvery())
        .withEvalEvery(options.evalEvery())
        .withThreads(options.threads());
    if (out != null) {
      tc = tc.withCheckpoints(out, options.evalEvery(), validation == null ? null : "val_loss");
    }
    Trainer trainer = new Trainer(trainable, optimizer, tc);
    if (run != null) {
      if (!resuming) {
        tokenizer.save(out); // the folder is this run's and empty: nothing of another run is replaced
      }
      Map<String, String> files = new java.util.HashMap<>(Map.of(RunDir.CONFIG, model.toJson(), RunDir.TRAIN,
          optionsJson(options, init)));
      if (lora != null) {
        files.put(LoraRun.FILE, lora.toJson(out));
      }
      run.begin(files, FLAGS, HARMLESS,
          () -> {
            if (resuming) {
              trainer.resume(out.resolve(RunDir.LAST));
            }
          });
    }
    if (validation != null) {
      // Copies of the model that share the weights and have buffers of their own (an evaluation
      // batch has another shape than a shard's), one per training thread, in an inference context.
      Parallel evalThreads = trainer.parallel();
      List<LlmModel> evaluated = new java.util.ArrayList<>();
      for (int i = 0; i < evalThreads.threads(); i++) {
        evaluated.add(new LlmModel(lora != null ? LoraGpt.build(model, params.replica(), lora.config())
            : new Gpt(model, params.replica()), tokenizer, 0));
      }
      double[] best = {trainer.checkpoint().values().getOrDefault("best", Double.POSITIVE_INFINITY)};
      trainer.setEvaluator(() -> {
        double loss = LlmEvaluation.evaluate(evaluated, evalThreads, validation, options.evalBatches(),
            options.batchSize(), window, EVAL_SEED).loss();
        best[0] = Math.min(best[0], loss);
        return Map.of("val_loss", loss, "best_val_loss", best[0]);
      });
    }
    if (options.progressBar()) {
      trainer.addListener(new ProgressBarListener("gpt", "tok"));
    }
    if (out != null) {
      trainer.addListener(new MetricsLogListener(out.resolve(RunDir.METRICS)));
    }
    extraListeners.forEach(trainer::addListener);
    return trainer.fit(batches, () -> new LlmModel(gpt, tokenizer, trainer.step()),
        steps -> steps * options.batchSize() * options.accumulation() * (double) window);
  }

  /**
   * The LoRA run's {@code lora.json}: a resumed run keeps the reference it stored when {@code
   * --init-from} names the same base (which {@link BaseReference#open} then checks), so the base is
   * hashed once; a new run hashes it.
   */
  private static LoraRun loraRun(InitFrom init, Path out, boolean resuming) {
    if (resuming && LoraRun.isIn(out)) {
      LoraRun stored = LoraRun.read(out);
      if (stored.base().path().equals(init.model().toAbsolutePath().normalize())) {
        return new LoraRun(init.lora(), stored.base());
      }
    }
    return new LoraRun(init.lora(), BaseReference.of(init.model()));
  }

  private static String optionsJson(GptTrainOptions options, InitFrom init) {
    try {
      ObjectMapper json = new ObjectMapper();
      ObjectNode node = json.valueToTree(options);
      // The folder as the user gave it, not as a file: URI.
      node.put("outDir", options.outDir() == null ? null : options.outDir().toString());
      if (init != null) {
        node.put("initFrom", init.model().toString());
        node.put("window", init.window());
      }
      return json.writerWithDefaultPrettyPrinter().writeValueAsString(node);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the training options: " + e.getMessage(), e);
    }
  }
}
