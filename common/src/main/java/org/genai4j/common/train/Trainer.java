package org.genai4j.common.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.LongToDoubleFunction;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.genai4j.common.ops.ShardExchange;
import org.genai4j.common.ops.StepContext;
import org.genai4j.common.util.Parallel;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The one training loop of genai4j. Each step, for each parameter group in order: compute
 * gradients on {@code accumulation} micro-batches and average them, clip by global norm, update
 * with the group's optimizer. Listeners see a record every {@code logEvery} steps; the evaluator
 * runs every {@code evalEvery} steps; checkpoints go to {@code outDir/checkpoints/last} and, when the
 * evaluation metric improves, {@code outDir/checkpoints/best} ({@link RunDir}).
 *
 * <p>Randomness is a pure function of (seed, step): the batch generator and ND4J's random
 * generator are reseeded at every step, and each step's {@link StepContext} derives its random
 * numbers from them, so training 20 steps equals training 10, saving, resuming and training 10
 * more.
 *
 * <p>Data parallelism: a group that is {@link ParameterGroup#shardable() shardable} gets its batch
 * split over {@link TrainerConfig#effectiveThreads()} threads, one contiguous block of examples
 * per shard, each with its own context ({@link StepContext#forShard}) and a {@link ShardExchange}
 * for sums across shards (batch norm); the shards' gradients are added in shard order ({@link
 * GradientSum}). The optimizer and the gradient norm use the same threads.
 *
 * <p>Elsewhere: a {@link GradientSource} computes the groups' gradients in place of the threads
 * (e.g. over a cluster, the rest of the step staying here), and a {@link StepRunner} runs blocks of
 * whole steps in place of {@link #trainStep} (e.g. local steps on each machine, then averaging).
 * Listeners can install either when added ({@link TrainingListener#attach}).
 */
public final class Trainer {

  /** Checkpoint folders inside {@link TrainerConfig#outDir()} ({@link RunDir}). */
  public static final String LAST = RunDir.LAST;
  public static final String BEST = RunDir.BEST;

  private final Trainable model;
  private final TrainerConfig config;
  private final Parallel parallel;
  private final Map<String, Optimizer> optimizers = new LinkedHashMap<>();
  private final List<TrainingListener> listeners = new ArrayList<>();
  private Evaluator evaluator;
  private GradientSource gradientSource;
  private StepRunner stepRunner;
  private UnaryOperator<BatchSource> sourceAdapter;
  private boolean evaluateAtStart;
  private long step;
  private double best = Double.POSITIVE_INFINITY;

  /** A trainer with one optimizer configuration per group name. */
  public Trainer(Trainable model, Map<String, OptimizerConfig> optimizerConfigs, TrainerConfig config) {
    this.model = model;
    this.config = config;
    this.parallel = Parallel.of(config.effectiveThreads());
    for (ParameterGroup g : model.parameterGroups()) {
      OptimizerConfig oc = optimizerConfigs.get(g.name());
      if (oc == null) {
        throw new IllegalArgumentException("no optimizer configured for parameter group '" + g.name()
            + "'; configured: " + optimizerConfigs.keySet());
      }
      optimizers.put(g.name(), new Optimizer(oc, g.parameters(), parallel));
    }
  }

  /** A trainer with the same optimizer configuration for every group. */
  public Trainer(Trainable model, OptimizerConfig optimizerConfig, TrainerConfig config) {
    this(model, sameForAll(model, optimizerConfig), config);
  }

  private static Map<String, OptimizerConfig> sameForAll(Trainable model, OptimizerConfig oc) {
    Map<String, OptimizerConfig> m = new HashMap<>();
    model.parameterGroups().forEach(g -> m.put(g.name(), oc));
    return m;
  }

  /** Adds a listener and lets it {@link TrainingListener#attach attach} itself to this trainer. */
  public Trainer addListener(TrainingListener l) {
    listeners.add(l);
    l.attach(this);
    return this;
  }

  /**
   * Computes the groups' gradients with {@code source} instead of on this trainer's threads (null:
   * on the threads again).
   */
  public Trainer setGradientSource(GradientSource source) {
    this.gradientSource = source;
    return this;
  }

  /**
   * Runs blocks of steps with {@code runner} instead of one step at a time on this trainer (null:
   * one at a time again).
   */
  public Trainer setStepRunner(StepRunner runner) {
    this.stepRunner = runner;
    return this;
  }

  /**
   * Lets {@code adapter} replace the batch source {@link #fit(BatchSource)} is given (null: use it
   * as it is), e.g. by one that draws the same examples' indices for a cluster whose executors hold
   * the data themselves.
   */
  public Trainer setSourceAdapter(UnaryOperator<BatchSource> adapter) {
    this.sourceAdapter = adapter;
    return this;
  }

  /** The optimizer configuration of parameter group {@code group}. */
  public OptimizerConfig optimizerConfig(String group) {
    Optimizer o = optimizers.get(group);
    if (o == null) {
      throw new IllegalArgumentException("no parameter group '" + group + "'; the model has " + optimizers.keySet());
    }
    return o.config();
  }

  /** The model this trainer trains. */
  public Trainable model() {
    return model;
  }

  public Trainer setEvaluator(Evaluator e) {
    this.evaluator = e;
    return this;
  }

  /**
   * Also evaluate before the first step of a fresh run (step 0), so logs and plots show where
   * training started. Off by default; ignored when resuming past step 0.
   */
  public Trainer setEvaluateAtStart(boolean on) {
    this.evaluateAtStart = on;
    return this;
  }

  /** The threads a step runs on. */
  public Parallel parallel() {
    return parallel;
  }

  /** Optimizer steps completed so far. */
  public long step() {
    return step;
  }

  public TrainerConfig config() {
    return config;
  }

  /** Loads weights, optimizer state and step from a checkpoint so {@link #fit} continues the run. */
  public void resume(Path checkpointFile) {
    restore(Checkpoint.read(checkpointFile));
  }

  /** Loads weights, optimizer state, step and best value from {@code c} (read or built in memory). */
  public void restore(Checkpoint c) {
    c.restoreInto(model);
    for (Optimizer o : optimizers.values()) {
      c.restoreInto(o);
    }
    step = c.step();
    best = c.values().getOrDefault("best", Double.POSITIVE_INFINITY);
  }

  /** The current state as a checkpoint. */
  public Checkpoint checkpoint() {
    Map<String, Double> values = new HashMap<>();
    if (Double.isFinite(best)) {
      values.put("best", best);
    }
    return Checkpoint.of(model, optimizers, step, config.seed(), values);
  }

  /**
   * Trains as {@link #fit(BatchSource)} and returns what a family's {@code train} reports: the
   * model ({@code model}, asked after the last step), this call's steps (a resumed run counts only
   * its own), the wall time and the throughput, {@code units} of the steps run (tokens, images).
   */
  public <M> TrainingResult<M> fit(BatchSource source, Supplier<M> model, LongToDoubleFunction units) {
    long startStep = step;
    long t0 = System.nanoTime();
    StepRecord last = fit(source);
    double seconds = (System.nanoTime() - t0) / 1e9;
    long steps = step - startStep;
    return new TrainingResult<>(model.get(), steps, seconds, units.applyAsDouble(steps) / Math.max(1e-9, seconds),
        last);
  }

  /** Trains from the current step up to {@link TrainerConfig#steps()}; returns the last record. */
  public StepRecord fit(BatchSource given) {
    BatchSource source = sourceAdapter == null ? given : sourceAdapter.apply(given);
    long start = System.nanoTime();
    long lastLogTime = start;
    long unitsSinceLog = 0;
    Map<String, Double> sums = new LinkedHashMap<>();
    int stepsSinceLog = 0;
    StepRecord last = null;
    try {
      if (evaluator != null && evaluateAtStart && step == 0) {
        Map<String, Double> eval = evaluate();
        last = new StepRecord(0, config.steps(), Map.of(), 0, 0, eval);
        for (TrainingListener l : listeners) {
          l.onStep(last);
        }
      }
      long stepsPerEpoch = source.stepsPerEpoch();
      while (step < config.steps()) {
        StepResult r;
        int ran = 1;
        if (stepRunner == null) {
          r = trainStep(source);
        } else {
          StepRunner.Block b = stepRunner.run(this, source, stepsToNextEvent(stepsPerEpoch));
          ran = b.steps();
          if (ran < 1 || ran > stepsToNextEvent(stepsPerEpoch)) {
            throw new IllegalStateException("the step runner ran " + ran + " steps; at most "
                + stepsToNextEvent(stepsPerEpoch) + " were asked for");
          }
          step += ran;
          r = new StepResult(b.metrics(), b.units());
        }
        boolean epochEnd = stepsPerEpoch > 0 && step % stepsPerEpoch == 0;
        unitsSinceLog += r.units;
        stepsSinceLog += ran;
        int weight = ran;
        r.metrics.forEach((k, v) -> sums.merge(k, v * weight, Double::sum));
        // The run ends at its step target or when a listener (e.g. a TimeBudget) asks it to stop;
        // either way the last step is evaluated, logged and checkpointed.
        boolean finalStep = step == config.steps() || stopRequested();
        boolean evalNow = evaluator != null
            && (finalStep || (config.evalEvery() > 0 && step % config.evalEvery() == 0));
        if (step % config.logEvery() == 0 || evalNow || finalStep || epochEnd) {
          long now = System.nanoTime();
          Map<String, Double> means = new LinkedHashMap<>();
          for (var e : sums.entrySet()) {
            // Rates and norms are reported as of this step; losses and metrics averaged since the last record.
            boolean instant = e.getKey().endsWith("/lr");
            means.put(e.getKey(), instant ? r.metrics.get(e.getKey()) : e.getValue() / stepsSinceLog);
          }
          Map<String, Double> eval = evalNow ? evaluate() : Map.of();
          double ups = unitsSinceLog / Math.max(1e-9, (now - lastLogTime) / 1e9);
          last = new StepRecord(step, config.steps(), means, ups, (now - start) / 1e9, eval);
          for (TrainingListener l : listeners) {
            l.onStep(last);
          }
          sums.clear();
          stepsSinceLog = 0;
          unitsSinceLog = 0;
          lastLogTime = System.nanoTime();
        }
        if (config.outDir() != null
            && (finalStep || (config.checkpointEvery() > 0 && step % config.checkpointEvery() == 0))) {
          checkpoint().write(config.outDir().resolve(LAST));
        }
        if (epochEnd) {
          for (TrainingListener l : listeners) {
            l.onEpochEnd(step / stepsPerEpoch, last);
          }
        }
        if (finalStep) {
          break;
        }
      }
    } finally {
      for (TrainingListener l : listeners) {
        l.close();
      }
    }
    return last;
  }

  /** Steps until the next record, evaluation, checkpoint, epoch end or the end of the run (at least 1). */
  private int stepsToNextEvent(long stepsPerEpoch) {
    long n = config.steps() - step;
    n = Math.min(n, config.logEvery() - step % config.logEvery());
    if (evaluator != null && config.evalEvery() > 0) {
      n = Math.min(n, config.evalEvery() - step % config.evalEvery());
    }
    if (config.outDir() != null && config.checkpointEvery() > 0) {
      n = Math.min(n, config.checkpointEvery() - step % config.checkpointEvery());
    }
    if (stepsPerEpoch > 0) {
      n = Math.min(n, stepsPerEpoch - step % stepsPerEpoch);
    }
    return (int) Math.max(1, Math.min(n, Integer.MAX_VALUE));
  }

  /**
   * The micro-batches ({@link TrainerConfig#accumulation()} of them) of step {@code step}, drawn as
   * the trainer draws them: from a generator seeded by the run's seed and the step. Also seeds
   * ND4J's generator for the step.
   */
  public List<Batch> batches(BatchSource source, long step) {
    long stepSeed = mix(config.seed(), step);
    Random rng = new Random(stepSeed);
    Nd4j.getRandom().setSeed(mix(stepSeed, 0x5DEECE66DL));
    List<Batch> batches = new ArrayList<>(config.accumulation());
    for (int i = 0; i < config.accumulation(); i++) {
      batches.add(source.next(rng));
    }
    return batches;
  }

  /** Runs the evaluator; keeps the best value of the best metric and writes best.ckpt on improvement. */
  private Map<String, Double> evaluate() {
    Map<String, Double> eval = evaluator.evaluate();
    if (config.bestMetric() != null && eval.containsKey(config.bestMetric())) {
      double v = eval.get(config.bestMetric());
      if (v < best) {
        best = v;
        if (config.outDir() != null) {
          checkpoint().write(config.outDir().resolve(BEST));
        }
      }
    }
    return eval;
  }

  private boolean stopRequested() {
    for (TrainingListener l : listeners) {
      if (l.stopRequested()) {
        return true;
      }
    }
    return false;
  }

  /** One step's losses and metrics, flat, and the throughput units it consumed. */
  record StepResult(Map<String, Double> metrics, long units) {}

  /** Runs exactly one optimizer step (all groups) and advances the step counter. */
  StepResult trainStep(BatchSource source) {
    List<Batch> batches = batches(source, step);
    try {
      return trainStep(batches, source.stepsPerEpoch());
    } finally {
      // Nothing of a step outlives it: the sources may reuse the batches' arrays.
      batches.forEach(Batch::release);
    }
  }

  private StepResult trainStep(List<Batch> batches, long stepsPerEpoch) {
    long units = 0;
    for (Batch b : batches) {
      units += b.units();
    }
    StepContext ctx = StepContext.training(config.seed(), step)
        .withEpoch(stepsPerEpoch > 0 ? step / stepsPerEpoch : 0);
    Map<String, Double> metrics = new LinkedHashMap<>();
    boolean first = true;
    List<ParameterGroup> groups = model.parameterGroups();
    for (int gi = 0; gi < groups.size(); gi++) {
      ParameterGroup g = groups.get(gi);
      Map<String, INDArray> grads = new LinkedHashMap<>();
      double loss = 0;
      Map<String, Double> groupMetrics = new LinkedHashMap<>();
      int n = batches.size();
      // The other shards' gradients of a lone batch: the optimizer adds them in its own pass when
      // nothing needs the sum before it (no clipping norm, no accumulation).
      List<Map<String, INDArray>> otherShards = List.of();
      // The lone batch's gradient's sum of squares when summing the shards took it (else NaN).
      double summedSquares = Double.NaN;
      boolean optimizerSums = n == 1 && gradientSource == null && config.clipNorm() <= 0;
      for (Batch b : batches) {
        Gradients gr;
        if (gradientSource != null) {
          gr = gradientSource.gradients(gi, g, b, ctx);
        } else {
          ShardGradients sg = gradients(g, b, ctx);
          gr = sg.shard0();
          if (optimizerSums) {
            otherShards = sg.others();
          } else {
            summedSquares = sg.sum(parallel);
          }
        }
        loss += gr.loss();
        gr.metrics().forEach((k, v) -> groupMetrics.merge(k, v, Double::sum));
        if (n == 1) {
          // Nothing below writes into gradient arrays, so the group's own arrays serve as they are.
          grads.putAll(gr.gradients());
          continue;
        }
        for (var e : gr.gradients().entrySet()) {
          INDArray acc = grads.get(e.getKey());
          if (acc == null) {
            grads.put(e.getKey(), e.getValue().dup('c'));
          } else {
            acc.addi(e.getValue());
          }
        }
      }
      if (n > 1) {
        grads.values().forEach(a -> a.divi(n));
      }
      if (!Double.isFinite(loss)) {
        throw new IllegalStateException("loss of group '" + g.name() + "' is " + loss + " at step " + step
            + " (diverged: lower the learning rate or enable gradient clipping)");
      }
      Optimizer opt = optimizers.get(g.name());
      metrics.put(g.name() + "/lr", opt.lr(step));
      double norm;
      if (config.clipNorm() > 0) {
        norm = n == 1 && !Double.isNaN(summedSquares) ? Math.sqrt(summedSquares)
            : GradientClipping.globalNorm(grads, parallel);
        // Clipping scales the gradients inside the optimizer's pass rather than in place.
        opt.step(g.parameters(), grads, step, GradientClipping.clipScale(norm, config.clipNorm()));
      } else {
        // Without clipping the norm is only reported: the optimizer takes it in its own pass.
        norm = Math.sqrt(opt.stepAndSumOfSquares(g.parameters(), grads, otherShards, step));
      }
      g.afterUpdate();
      if (first) {
        metrics.put("loss", loss / n);
        first = false;
      }
      metrics.put(g.name() + "/loss", loss / n);
      metrics.put(g.name() + "/grad_norm", norm);
      groupMetrics.forEach((k, v) -> metrics.put(g.name() + "/" + k, v / n));
    }
    if (gradientSource != null) {
      metrics.putAll(gradientSource.takeStepMetrics());
    }
    step++;
    return new StepResult(metrics, units);
  }

  /**
   * A batch's loss, metrics and gradients computed in shards: {@code shard0} holds the totals of loss
   * and metrics and shard 0's gradient arrays; the batch's gradient is those plus {@code others}'
   * (each shard's arrays, in shard order).
   */
  private record ShardGradients(Gradients shard0, List<Map<String, INDArray>> others) {
    /**
     * Adds the other shards' gradients into shard 0's arrays, which then hold the batch's gradient;
     * returns its sum of squares, taken in the same pass, or NaN when there was nothing to add.
     */
    double sum(Parallel parallel) {
      if (others.isEmpty()) {
        return Double.NaN;
      }
      List<Map<String, INDArray>> all = new ArrayList<>(others.size() + 1);
      all.add(shard0.gradients());
      all.addAll(others);
      return GradientSum.sumInto(all, parallel);
    }
  }

  /**
   * The group's loss and gradients on {@code batch}: split over the threads when the group allows
   * it, each shard on its own block of examples, the shards' losses and metrics added in shard
   * order; the gradients stay per shard until {@link ShardGradients#sum} or the optimizer adds them.
   */
  private ShardGradients gradients(ParameterGroup g, Batch batch, StepContext ctx) {
    int shards = g.shardable() ? Math.min(parallel.threads(), batch.examples()) : 1;
    if (shards <= 1) {
      return new ShardGradients(g.computeGradients(batch, ctx), List.of());
    }
    int[] bounds = Parallel.bounds(batch.examples(), shards);
    ShardExchange exchange = new ShardExchange(shards);
    Gradients[] parts = new Gradients[shards];
    parallel.run(shards, s -> parts[s] = g.computeGradients(batch.slice(bounds[s], bounds[s + 1]),
        ctx.forShard(s, bounds[s], exchange)), exchange::abort);
    List<Map<String, INDArray>> others = new ArrayList<>(shards - 1);
    double loss = 0;
    Map<String, Double> metrics = new LinkedHashMap<>();
    for (int s = 0; s < shards; s++) {
      if (s > 0) {
        others.add(parts[s].gradients());
      }
      loss += parts[s].loss();
      parts[s].metrics().forEach((k, v) -> metrics.merge(k, v, Double::sum));
    }
    return new ShardGradients(new Gradients(loss, parts[0].gradients(), metrics), others);
  }

  /** SplitMix64-style mixing so neighbouring steps get unrelated seeds. */
  static long mix(long a, long b) {
    long z = a * 0x9E3779B97F4A7C15L + b + 0x632BE59BD9B4E019L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
