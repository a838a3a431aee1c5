package org.genai4j.llm.finetune;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.genai4j.common.ops.Params;
import org.genai4j.common.ops.StepContext;
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
import org.genai4j.common.util.Parallel;
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
    return train(base, null, data, options, warnings);
  }

  /**
   * The same for {@code base} opened from {@code reference} (null: a model in memory), which a LoRA
   * run that writes a folder needs: the run is adapter-only ({@link LoraRun}: {@code lora.json}
   * with the reference, the adapters in its checkpoints), and {@link LlmModel#open} loads it onto
   * the base.
   */
  public static Result train(LlmModel base, BaseReference reference, InstructionData.Splits data,
      DpoOptions options, Consumer<String> warnings) {
    if (options.lora() != null) {
      if (options.outDir() != null && reference == null) {
        throw new IllegalArgumentException("a LoRA run saves only its adapters, so it needs its base model as a"
            + " folder or file (--model), not a model in memory");
      }
      Gpt.checkLowRank(base.config(), options.lora().rank(), options.lora().targets());
    }
    try (RunFolder run = options.outDir() == null ? null : RunFolder.open(options.outDir(), RunFolder.Start.NEW)) {
      if (run != null) {
        base.tokenizer().save(options.outDir());
        Map<String, String> files = new java.util.HashMap<>(Map.of(RunDir.CONFIG, base.config().toJson(),
            RunDir.TRAIN, optionsJson(options)));
        if (options.lora() != null) {
          files.put(LoraRun.FILE, new LoraRun(options.lora(), reference).toJson(options.outDir()));
        }
        run.begin(files, Map.of(), Set.of(), () -> {});
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
    if (splits.get("train").stream().allMatch(p -> p.chosen().responseLength() == 0
        && p.rejected().responseLength() == 0)) {
      throw new IllegalArgumentException("every training pair was cut before its responses (the prompts fill the "
          + encoder.maxInputs() + " tokens of --max-length " + options.maxLength() + " and the model's context "
          + config.blockSize() + "): nothing to learn");
    }
    int evalBatch = options.batch();
    int threads = options.threads() > 0 ? options.threads() : Parallel.defaultThreads();
    List<Gpt> referenceCopies = new ArrayList<>(List.of(base.gpt()));
    while (referenceCopies.size() < threads) {
      referenceCopies.add(new Gpt(config, base.weights().replica()));
    }
    PairLogProbs referenceScores = new PairLogProbs(referenceCopies, evalBatch, pad, options.reduction());
    Map<String, double[][]> reference = new LinkedHashMap<>();
    splits.forEach((name, pairs) -> reference.put(name, referenceScores.of(pairs)));
    List<PreferencePairs.Pair> validation = options.evalPairs() == 0 ? splits.get("val")
        : splits.get("val").subList(0, Math.min(options.evalPairs(), splits.get("val").size()));
    double[][] validationReference = java.util.Arrays.copyOf(reference.get("val"), validation.size());
    // Before training the policy is the base: its log-probabilities are the reference's.
    Map<String, Evaluation> before = new LinkedHashMap<>();
    for (String split : List.of("val", "test")) {
      before.put(split, evaluation(reference.get(split), reference.get(split), options.beta()));
    }

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
    Predicate<String> trains = options.lora() != null ? LoraConfig::isAdapter : name -> true;
    Replicas<DpoStep> replicas = new Replicas<>(new DpoStep(policy, options.reduction(), options.beta()), params,
        p -> new DpoStep(build.apply(p), options.reduction(), options.beta()));
    ModuleGroup<DpoStep> group = new ModuleGroup<>("dpo", replicas, trains, DpoStep::trainStep);
    Trainable trainable = Trainable.of(config.toJson(), group);
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
    // Evaluation copies share the policy's weights and have buffers of their own.
    List<Gpt> policyCopies = new ArrayList<>();
    while (policyCopies.size() < threads) {
      policyCopies.add(build.apply(params.replica()));
    }
    PairLogProbs policyScores = new PairLogProbs(policyCopies, evalBatch, pad, options.reduction());
    trainer.setEvaluator(() -> (trainer.step() == 0
        ? evaluation(validationReference, validationReference, options.beta())
        : evaluation(policyScores.of(validation), validationReference, options.beta())).named("val_"));
    trainer.setEvaluateAtStart(true);
    if (options.progressBar()) {
      trainer.addListener(new ProgressBarListener("dpo", "tok"));
    }
    if (options.outDir() != null) {
      trainer.addListener(new MetricsLogListener(options.outDir().resolve(RunDir.METRICS)));
    }
    long start = System.nanoTime();
    trainer.fit(train);
    double seconds = (System.nanoTime() - start) / 1e9;
    Map<String, Evaluation> after = new LinkedHashMap<>();
    for (String split : List.of("val", "test")) {
      after.put(split, evaluation(policyScores.of(splits.get(split)), reference.get(split), options.beta()));
    }
    // With LoRA the trainer's checkpoints hold the adapters only (the group's parameters).
    return new Result(new LlmModel(policy, base.tokenizer(), trainer.step()), before, after, trainableCount,
        params.count(), seconds);
  }

  /**
   * The log-probabilities ({@code [pair][0: chosen, 1: rejected]}) {@code model} gives the
   * responses of {@code pairs}, {@code batch} pairs per forward pass, in inference.
   */
  public static double[][] logProbs(Gpt model, List<PreferencePairs.Pair> pairs, int batch, int pad,
      ResponseLogProb.Reduction reduction) {
    return new PairLogProbs(List.of(model), batch, pad, reduction).of(pairs);
  }

  /** The standing of a model whose log-probabilities are {@code policy} against the {@code reference}'s. */
  static Evaluation evaluation(double[][] policy, double[][] reference, double beta) {
    int n = policy.length;
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
    DpoLoss.Value v = new DpoLoss(beta).forward(StepContext.inference(), pc, pr, rc, rr);
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
      n.put("loraTargets", o.lora().targetsText());
    }
    return n.toPrettyString();
  }
}
