package org.genai4j.llm.finetune;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.genai4j.common.ops.Params;
import org.genai4j.common.ops.StepContext;
import org.genai4j.common.train.Batch;
import org.genai4j.common.train.Checkpoint;
import org.genai4j.common.train.LrSchedule;
import org.genai4j.common.train.MetricsLogListener;
import org.genai4j.common.train.ModuleGroup;
import org.genai4j.common.train.OptimizerConfig;
import org.genai4j.common.train.ProgressBarListener;
import org.genai4j.common.train.Replicas;
import org.genai4j.common.train.RunDir;
import org.genai4j.common.train.RunFolder;
import org.genai4j.common.train.Trainable;
import org.genai4j.common.train.Trainer;
import org.genai4j.common.train.TrainerConfig;
import org.genai4j.llm.LlmModel;
import org.genai4j.llm.model.Gpt;
import org.genai4j.llm.model.GptConfig;
import org.genai4j.llm.model.GptTrainable;
import org.genai4j.llm.train.TokenBatches;

/**
 * Instruction fine-tuning (LLMs-from-scratch chapter 7): a pretrained GPT learns to write the
 * response after an Alpaca prompt, the loss counting response tokens only ({@link
 * InstructionBatches}); AdamW at a constant rate, batches split over threads by the common trainer,
 * train and validation losses in {@code metrics.jsonl} (at step 0, every {@code evalEvery} steps
 * and at the end). The result is saved as an ordinary LLM run ({@code config.json}, {@code
 * tokenizer.json}, {@code checkpoints/last}) that {@link LlmModel#open} and {@code llm generate}
 * read, with the test split's responses in {@value #RESPONSES}.
 *
 * <p>Without LoRA the base model's weights train in place (a copy of GPT-2 124M would double its
 * memory); with LoRA ({@link InstructOptions#lora()}) adapters are added to a copy and only they
 * train: the run is adapter-only ({@link LoraRun}: {@code lora.json} with the base's reference,
 * the adapters in {@code checkpoints/last}), which {@link LlmModel#open} loads onto the base and
 * {@code llm merge-lora} folds into a standalone model.
 */
public final class InstructionTraining {
  /** The test split's responses in the run folder. */
  public static final String RESPONSES = "test-responses.json";

  private InstructionTraining() {}

  /**
   * What a fine-tuning produced.
   *
   * @param model the fine-tuned model (with its LoRA adapters, if any)
   * @param before the mean response-token loss per split ({@code train}, {@code val}) of the base
   * @param after the same after the last step
   * @param steps optimizer steps run
   * @param trainableParameters parameters that trained
   * @param totalParameters all parameters of the trained model (adapters included)
   * @param seconds wall time of the training loop (evaluations included)
   * @param responses the test split's responses (empty with {@code responseTokens} 0)
   */
  public record Result(LlmModel model, Map<String, Double> before, Map<String, Double> after, long steps,
      long trainableParameters, long totalParameters, double seconds, List<InstructionResponses.Entry> responses) {}

  /** Fine-tunes {@code base} (warnings on {@code System.err}); writes the run when {@code options.outDir()} is set. */
  public static Result train(LlmModel base, InstructionData.Splits data, InstructOptions options) {
    return train(base, data, options, System.err::println);
  }

  /**
   * Fine-tunes {@code base} on {@code data}'s training split with {@code options}, passing one-line
   * warnings (sequences cut to the context) to {@code warnings}.
   */
  public static Result train(LlmModel base, InstructionData.Splits data, InstructOptions options,
      Consumer<String> warnings) {
    return train(base, null, data, options, warnings);
  }

  /**
   * The same for {@code base} opened from {@code reference} (null: a model in memory), which a LoRA
   * run that writes a folder needs: it stores the adapters and the reference, not the base.
   */
  public static Result train(LlmModel base, BaseReference reference, InstructionData.Splits data,
      InstructOptions options, Consumer<String> warnings) {
    GptConfig config = base.config();
    if (options.lora() != null) {
      if (options.outDir() != null && reference == null) {
        throw new IllegalArgumentException("a LoRA run saves only its adapters, so it needs its base model as a"
            + " folder or file (--model), not a model in memory");
      }
      Gpt.checkLowRank(config, options.lora().rank(), options.lora().targets());
    }
    InstructionBatches.Encoder encoder = InstructionBatches.Encoder.of(base.tokenizer(), config.blockSize(),
        options.maxLength(), options.noTruncate());
    // Every split is encoded before the run folder is taken: a refused record leaves nothing behind.
    InstructionBatches train = new InstructionBatches(encoder.encode("train", data.train().records(), warnings),
        options.batch(), encoder.pad());
    InstructionBatches validation = new InstructionBatches(encoder.encode("validation",
        data.validation().records(), warnings), options.batch(), encoder.pad());
    requireResponses("training", train, encoder);
    requireResponses("validation", validation, encoder);
    if (options.responseTokens() > 0) {
      encoder.encode("test", data.test().records(), warnings);
    }
    Path out = options.outDir();
    try (RunFolder run = out == null ? null : RunFolder.open(out, RunFolder.Start.NEW)) {
      if (run != null) {
        base.tokenizer().save(out);
        Map<String, String> files = new java.util.HashMap<>(Map.of(RunDir.CONFIG, config.toJson(), RunDir.TRAIN,
            optionsJson(options, train.size())));
        if (options.lora() != null) {
          files.put(LoraRun.FILE, new LoraRun(options.lora(), reference).toJson(out));
        }
        run.begin(files, Map.of(), java.util.Set.of(), () -> {});
      }
      return train(base, data, options, encoder, train, validation);
    }
  }

  /** A split whose prompts fill the whole context leaves nothing to learn or measure: a named error, not NaN. */
  private static void requireResponses(String split, InstructionBatches batches, InstructionBatches.Encoder encoder) {
    if (batches.responseTokens() == 0) {
      throw new IllegalArgumentException("no " + split + " example keeps a response token within "
          + encoder.maxInputs() + " inputs (the model's context, or --max-length): the prompts fill it; use a model"
          + " with a longer context or a larger --max-length");
    }
  }

  private static Result train(LlmModel base, InstructionData.Splits data, InstructOptions options,
      InstructionBatches.Encoder encoder, InstructionBatches train, InstructionBatches validation) {
    GptConfig config = base.config();
    LoraConfig lora = options.lora();
    Function<Params, Gpt> build = p -> {
      Gpt g = new Gpt(config, p);
      if (lora != null) {
        g.addLowRank(lora.rank(), lora.alpha(), lora.targets());
      }
      return g;
    };
    Gpt gpt;
    if (lora == null) {
      gpt = base.gpt();
    } else {
      // The adapters need initialized values (A uniform), which a loaded model's parameters lack.
      gpt = build.apply(Params.init(options.seed()));
      TextClassifier.copyShared(base.weights(), gpt.params());
    }
    Params params = gpt.params();
    Predicate<String> trains = lora == null ? name -> true : LoraConfig::isAdapter;
    ModuleGroup<Gpt> group = new ModuleGroup<>("gpt", new Replicas<>(gpt, params, build), trains,
        (m, batch, ctx) -> m.trainStep(batch, ctx));
    Trainable trainable = Trainable.of(config.toJson(), group);
    long trainableCount = trainable.parameterCount();
    int steps = options.steps(train.size());
    OptimizerConfig optimizer = OptimizerConfig.adamW(LrSchedule.warmupCosine(options.lr(), options.lr(), 0, steps),
        0.9, 0.999, options.weightDecay());
    TrainerConfig tc = TrainerConfig.of(steps, options.seed()).withThreads(options.threads()).withLogEvery(
        Math.max(1, Math.min(10, options.evalEvery() == 0 ? 10 : options.evalEvery()))).withEvalEvery(
        options.evalEvery());
    Trainer trainer = new Trainer(trainable, optimizer, tc);
    // The evaluation copy shares the weights and has buffers of its own (an evaluation batch has another shape).
    Gpt evaluated = build.apply(params.replica());
    List<Batch> trainEval = firstBatches(train, options);
    List<Batch> valEval = firstBatches(validation, options);
    List<Map<String, Double>> evaluations = new ArrayList<>();
    trainer.setEvaluator(() -> {
      Map<String, Double> losses = new LinkedHashMap<>();
      losses.put("train_loss", responseLoss(evaluated, trainEval));
      losses.put("val_loss", responseLoss(evaluated, valEval));
      evaluations.add(losses);
      return losses;
    });
    trainer.setEvaluateAtStart(true);
    if (options.progressBar()) {
      trainer.addListener(new ProgressBarListener("instruct", "tok"));
    }
    if (options.outDir() != null) {
      trainer.addListener(new MetricsLogListener(options.outDir().resolve(RunDir.METRICS)));
    }
    long start = System.nanoTime();
    trainer.fit(train);
    double seconds = (System.nanoTime() - start) / 1e9;

    LlmModel model = new LlmModel(gpt, base.tokenizer(), trainer.step());
    if (options.outDir() != null) {
      // With LoRA the checkpoint holds the adapters only (the group's parameters), never the base.
      Checkpoint.of(lora == null ? new GptTrainable(gpt) : LoraGpt.trainable(gpt, lora), null, trainer.step(),
          options.seed(), Map.of()).write(options.outDir().resolve(RunDir.LAST));
    }
    List<InstructionResponses.Entry> responses = List.of();
    if (options.responseTokens() > 0) {
      responses = testResponses(model, data.test().records(), encoder.end(), options);
    }
    return new Result(model, named(evaluations.get(0)), named(evaluations.get(evaluations.size() - 1)), trainer.step(),
        trainableCount, params.count(), seconds, responses);
  }

  private static List<InstructionResponses.Entry> testResponses(LlmModel model, List<InstructionRecord> test,
      int[] end, InstructOptions options) {
    long t0 = System.nanoTime();
    double[] last = {0};
    List<InstructionResponses.Entry> responses = InstructionResponses.generate(model, test, end,
        options.responseTokens(), done -> {
          double s = (System.nanoTime() - t0) / 1e9;
          if (options.progressBar() && (s - last[0] >= 30 || done == test.size())) {
            last[0] = s;
            System.err.printf(java.util.Locale.ROOT, "responses %d/%d  elapsed %.0f s%n", done, test.size(), s);
          }
        });
    if (options.outDir() != null) {
      InstructionResponses.write(options.outDir().resolve(RESPONSES), responses);
    }
    return responses;
  }

  /** {@code train_loss}, {@code val_loss} as {@code train}, {@code val}. */
  private static Map<String, Double> named(Map<String, Double> losses) {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("train", losses.get("train_loss"));
    m.put("val", losses.get("val_loss"));
    return m;
  }

  private static List<Batch> firstBatches(InstructionBatches split, InstructOptions options) {
    List<Batch> all = split.inOrder(options.batch());
    return options.evalBatches() == 0 ? all : all.subList(0, Math.min(all.size(), options.evalBatches()));
  }

  /**
   * The mean cross-entropy over the response tokens of {@code batches} (each token weighs the same,
   * whatever its batch), the model in inference mode.
   */
  public static double responseLoss(Gpt model, List<Batch> batches) {
    StepContext ctx = StepContext.inference();
    double sum = 0;
    long count = 0;
    int[] x = new int[0];
    int[] y = new int[0];
    for (Batch b : batches) {
      int rows = b.examples();
      int time = (int) b.get("x").size(1);
      x = TokenBatches.ids(b, "x", x);
      y = TokenBatches.ids(b, "y", y);
      long real = 0;
      for (int i = 0; i < rows * time; i++) {
        if (y[i] != InstructionBatches.IGNORE_INDEX) {
          real++;
        }
      }
      if (real == 0) {
        continue;
      }
      model.forward(ctx, x, rows, time);
      sum += model.loss(ctx, y) * real;
      count += real;
    }
    return count == 0 ? Double.NaN : sum / count;
  }

  private static String optionsJson(InstructOptions o, int trainExamples) {
    ObjectNode n = new ObjectMapper().createObjectNode();
    n.put("task", "instruct");
    n.put("iters", o.steps(trainExamples));
    n.put("batch", o.batch());
    n.put("lr", o.lr());
    n.put("weightDecay", o.weightDecay());
    n.put("maxLength", o.maxLength());
    n.put("noTruncate", o.noTruncate());
    n.put("evalEvery", o.evalEvery());
    n.put("evalBatches", o.evalBatches());
    n.put("responseTokens", o.responseTokens());
    n.put("seed", o.seed());
    if (o.lora() != null) {
      ObjectNode l = n.putObject("lora");
      l.put("rank", o.lora().rank());
      l.put("alpha", o.lora().alpha());
      l.put("targets", o.lora().targetsText());
    }
    return n.toPrettyString();
  }
}
