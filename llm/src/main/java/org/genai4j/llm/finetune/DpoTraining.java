package org.genai4j.llm.finetune;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.genai4j.common.ops.Params;
import org.genai4j.common.ops.StepContext;
import org.genai4j.common.ops.Tensor;
import org.genai4j.common.train.Checkpoint;
import org.genai4j.common.train.LrSchedule;
import org.genai4j.common.train.MetricsLogListener;
import org.genai4j.common.train.ModuleGroup;
import org.genai4j.common.train.OptimizerConfig;
import org.genai4j.common.train.ParameterGroup;
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

/**
 * Preference tuning by direct preference optimization, as LLMs-from-scratch's chapter 7 notebook
 * 04 does it: the policy (a copy of the base model, all of it trainable, or LoRA adapters on it)
 * learns to give chosen responses a higher log-probability, relative to a frozen reference (the
 * base itself, forward only, never updated), than rejected ones ({@link DpoLoss}). The reference's
 * log-probabilities of every pair are computed once, before training. AdamW at a constant rate,
 * batches of pairs split over threads by the common trainer; the loss, the reward margin, the
 * chosen and rejected rewards and the policy's log-probabilities per logged step, and the same on
 * the validation pairs, go to {@code metrics.jsonl}. The tuned model is saved as a run of {@code
 * llm train} ({@code config.json}, {@code tokenizer.json}, {@code checkpoints/last}), which {@link
 * LlmModel#open} and {@code llm generate} take.
 */
public final class DpoTraining {
  private DpoTraining() {}

  /**
   * A model's standing on a set of preference pairs (means over the pairs).
   *
   * @param loss the DPO loss (log 2 for the reference itself)
   * @param margin the reward margin {@code beta ((pc - rc) - (pr - rr))}
   * @param chosenReward {@code beta (pc - rc)}
   * @param rejectedReward {@code beta (pr - rr)}
   * @param chosenLogProb the model's log-probability of the chosen responses, {@code pc}
   * @param rejectedLogProb the same of the rejected responses, {@code pr}
   */
  public record Evaluation(double loss, double margin, double chosenReward, double rejectedReward,
      double chosenLogProb, double rejectedLogProb) {

    /** How much more likely the model finds the chosen responses than the rejected ones: {@code pc - pr}. */
    public double gap() {
      return chosenLogProb - rejectedLogProb;
    }

    /** The values by the names the log uses, each prefixed by {@code prefix}. */
    public Map<String, Double> named(String prefix) {
      Map<String, Double> m = new LinkedHashMap<>();
      m.put(prefix + "loss", loss);
      m.put(prefix + "reward_margin", margin);
      m.put(prefix + "chosen_reward", chosenReward);
      m.put(prefix + "rejected_reward", rejectedReward);
      m.put(prefix + "chosen_logp", chosenLogProb);
      m.put(prefix + "rejected_logp", rejectedLogProb);
      m.put(prefix + "logp_gap", gap());
      return m;
    }
  }

  /**
   * What a preference tuning produced.
   *
   * @param model the tuned model (its adapters merged when LoRA trained), with the base's tokenizer
   * @param before the base model's standing per held-out split ({@code val}, {@code test})
   * @param after the tuned model's
   * @param trainableParameters parameters that trained
   * @param totalParameters all parameters of the policy
   * @param seconds wall time of the training loop
   */
  public record Result(LlmModel model, Map<String, Evaluation> before, Map<String, Evaluation> after,
      long trainableParameters, long totalParameters, double seconds) {}

  /** Tunes {@code base} on the preference pairs of {@code data}; warnings (truncation) to standard error. */
  public static Result train(LlmModel base, InstructionData.Splits data, DpoOptions options) {
    return train(base, data, options, System.err::println);
  }

  /**
   * Tunes {@code base} on the preference pairs of {@code data.train()}, evaluating on {@code
   * data.validation()} during training and on validation and test before and after; writes the run
   * into the new folder {@code options.outDir()} when it is set. {@code base} is the reference and
   * is left as it is.
   */
  public static Result train(LlmModel base, InstructionData.Splits data, DpoOptions options,
      Consumer<String> warnings) {
    try (RunFolder run = options.outDir() == null ? null : RunFolder.open(options.outDir(), RunFolder.Start.NEW)) {
      if (run != null) {
        base.tokenizer().save(options.outDir());
        run.begin(Map.of(RunDir.CONFIG, base.config().toJson(), RunDir.TRAIN, optionsJson(options)), Map.of(),
            Set.of(), () -> {});
      }
      return trainInto(base, data, options, warnings);
    }
  }

  private static Result trainInto(LlmModel base, InstructionData.Splits data, DpoOptions options,
      Consumer<String> warnings) {
    GptConfig config = base.config();
    InstructionBatches.Encoder encoder = InstructionBatches.Encoder.of(base.tokenizer(), config.blockSize(),
        options.maxLength(), options.noTruncate());
    int pad = encoder.pad();
    Map<String, List<PreferencePairs.Pair>> splits = new LinkedHashMap<>();
    splits.put("train", PreferencePairs.encode(encoder, "train", data.train().records(), warnings));
    splits.put("val", PreferencePairs.encode(encoder, "validation", data.validation().records(), warnings));
    splits.put("test", PreferencePairs.encode(encoder, "test", data.test().records(), warnings));
    int evalBatch = options.batch();
    Map<String, double[][]> reference = new LinkedHashMap<>();
    splits.forEach((name, pairs) -> reference.put(name, logProbs(base.gpt(), pairs, evalBatch, pad,
        options.reduction())));
    List<PreferencePairs.Pair> validation = options.evalPairs() == 0 ? splits.get("val")
        : splits.get("val").subList(0, Math.min(options.evalPairs(), splits.get("val").size()));
    double[][] validationReference = java.util.Arrays.copyOf(reference.get("val"), validation.size());

    // The policy starts as a copy of the base; the base itself stays the frozen reference.
    Params params = Params.init(options.seed());
    Function<Params, Gpt> build = p -> {
      Gpt g = new Gpt(config, p);
      if (options.lora() != null) {
        g.addLowRank(options.lora().rank(), options.lora().alpha(), options.lora().targets());
      }
      return g;
    };
    Gpt policy = build.apply(params);
    TextClassifier.copyShared(base.weights(), params);
    Predicate<String> trains = options.lora() != null ? name -> name.contains(".lora_") : name -> true;
    Replicas<DpoStep> replicas = new Replicas<>(new DpoStep(policy, options.reduction(), options.beta()), params,
        p -> new DpoStep(build.apply(p), options.reduction(), options.beta()));
    ModuleGroup<DpoStep> group = new ModuleGroup<>("dpo", replicas, trains, DpoStep::trainStep);
    Trainable trainable = new Trainable() {
      @Override
      public List<ParameterGroup> parameterGroups() {
        return List.of(group);
      }

      @Override
      public String configJson() {
        return config.toJson();
      }
    };
    long trainableCount = trainable.parameterCount();
    PreferencePairs train = new PreferencePairs(splits.get("train"), reference.get("train"), options.batch(), pad);
    OptimizerConfig optimizer = OptimizerConfig.adamW(LrSchedule.warmupCosine(options.lr(), options.lr(), 0,
        options.iters()), 0.9, 0.999, options.weightDecay());
    TrainerConfig tc = TrainerConfig.of(options.iters(), options.seed()).withThreads(options.threads())
        .withLogEvery(1).withEvalEvery(options.evalEvery() == 0 ? options.iters() : options.evalEvery());
    if (options.outDir() != null) {
      tc = tc.withCheckpoints(options.outDir(), tc.evalEvery(), null);
    }
    Trainer trainer = new Trainer(trainable, optimizer, tc);
    // The evaluation copy shares the policy's weights and has buffers of its own.
    Gpt evaluated = build.apply(params.replica());
    trainer.setEvaluator(() -> evaluate(evaluated, validation, validationReference, evalBatch, pad, options)
        .named("val_"));
    trainer.setEvaluateAtStart(true);
    if (options.progressBar()) {
      trainer.addListener(new ProgressBarListener("dpo", "tok"));
    }
    if (options.outDir() != null) {
      trainer.addListener(new MetricsLogListener(options.outDir().resolve(RunDir.METRICS)));
    }
    Map<String, Evaluation> before = new LinkedHashMap<>();
    for (String split : List.of("val", "test")) {
      before.put(split, evaluate(base.gpt(), splits.get(split), reference.get(split), evalBatch, pad, options));
    }
    long start = System.nanoTime();
    trainer.fit(train);
    double seconds = (System.nanoTime() - start) / 1e9;
    Map<String, Evaluation> after = new LinkedHashMap<>();
    for (String split : List.of("val", "test")) {
      after.put(split, evaluate(evaluated, splits.get(split), reference.get(split), evalBatch, pad, options));
    }
    Gpt tuned = policy;
    if (options.lora() != null) {
      // A plain GPT on the merged weights: the saved run loads as any other.
      policy.mergeLowRank();
      tuned = new Gpt(config, Params.forLoading());
      TextClassifier.copyShared(params, tuned.params());
      if (options.outDir() != null) {
        Checkpoint.of(new GptTrainable(tuned), null, trainer.step(), options.seed(), Map.of())
            .write(options.outDir().resolve(RunDir.LAST));
      }
    }
    return new Result(new LlmModel(tuned, base.tokenizer(), trainer.step()), before, after, trainableCount,
        params.count(), seconds);
  }

  /**
   * The log-probabilities ({@code [pair][0: chosen, 1: rejected]}) {@code model} gives the
   * responses of {@code pairs}, {@code batch} pairs per forward pass, in inference.
   */
  public static double[][] logProbs(Gpt model, List<PreferencePairs.Pair> pairs, int batch, int pad,
      ResponseLogProb.Reduction reduction) {
    ResponseLogProb op = new ResponseLogProb(reduction);
    StepContext ctx = StepContext.inference();
    double[][] out = new double[pairs.size()][];
    int[] ids = new int[0];
    int[] targets = new int[0];
    for (int from = 0; from < pairs.size(); from += batch) {
      List<PreferencePairs.Pair> part = pairs.subList(from, Math.min(pairs.size(), from + batch));
      var b = PreferencePairs.batchOf(part, null, pad);
      int time = (int) b.get("x").size(1) / 2;
      ids = org.genai4j.llm.train.TokenBatches.ids(b, "x", ids);
      targets = org.genai4j.llm.train.TokenBatches.ids(b, "y", targets);
      Tensor logits = model.forward(ctx, ids, 2 * part.size(), time);
      double[] lp = op.forward(ctx, logits, targets, 2 * part.size());
      for (int i = 0; i < part.size(); i++) {
        out[from + i] = new double[] {lp[2 * i], lp[2 * i + 1]};
      }
    }
    return out;
  }

  /** {@code model}'s standing on {@code pairs} against the reference log-probabilities {@code reference}. */
  static Evaluation evaluate(Gpt model, List<PreferencePairs.Pair> pairs, double[][] reference, int batch, int pad,
      DpoOptions options) {
    double[][] policy = logProbs(model, pairs, batch, pad, options.reduction());
    int n = pairs.size();
    double[] pc = new double[n];
    double[] pr = new double[n];
    double[] rc = new double[n];
    double[] rr = new double[n];
    for (int i = 0; i < n; i++) {
      pc[i] = policy[i][0];
      pr[i] = policy[i][1];
      rc[i] = reference[i][0];
      rr[i] = reference[i][1];
    }
    DpoLoss.Value v = new DpoLoss(options.beta()).forward(StepContext.inference(), pc, pr, rc, rr);
    return new Evaluation(v.loss(), v.margin(), v.chosenReward(), v.rejectedReward(), v.chosenLogProb(),
        v.rejectedLogProb());
  }

  private static String optionsJson(DpoOptions o) {
    ObjectNode n = new ObjectMapper().createObjectNode();
    n.put("task", "dpo");
    n.put("iters", o.iters());
    n.put("batch", o.batch());
    n.put("lr", o.lr());
    n.put("weightDecay", o.weightDecay());
    n.put("beta", o.beta());
    n.put("maxLength", o.maxLength());
    n.put("noTruncate", o.noTruncate());
    n.put("evalEvery", o.evalEvery());
    n.put("evalPairs", o.evalPairs());
    n.put("seed", o.seed());
    n.put("logProb", o.reduction().name().toLowerCase(java.util.Locale.ROOT));
    if (o.lora() != null) {
      n.put("loraRank", o.lora().rank());
      n.put("loraAlpha", o.lora().alpha());
      n.put("loraTargets", o.lora().targets().toString());
    }
    return n.toPrettyString();
  }
}
