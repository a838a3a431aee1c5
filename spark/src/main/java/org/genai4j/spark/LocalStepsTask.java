package org.genai4j.spark;

import java.io.Serializable;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;
import org.genai4j.common.train.Checkpoint;
import org.genai4j.common.train.OptimizerConfig;
import org.genai4j.common.train.StepRecord;
import org.genai4j.common.train.Trainer;
import org.genai4j.common.train.TrainerConfig;

/**
 * One partition's block of local steps in averaging mode, on an executor: its own copy of the
 * model and optimizers starts from the broadcast state and trains with the harness's {@link
 * Trainer} (one thread) on the partition's shard of each step's batch; the state after the block
 * goes back to be averaged.
 */
final class LocalStepsTask implements Function<LocalStepsTask.Input, LocalStepsTask.Result>, Serializable {

  /** A partition's shards of the block's batches, in step order (each step's micro-batches in turn). */
  record Input(int partition, List<ShardInput> batches) implements Serializable {}

  /** A partition's state after its block (or the sum of several), its metrics and compute time. */
  static final class Result implements Serializable {
    int partitions;
    TrainingState state;
    Map<String, Double> metrics = new LinkedHashMap<>();
    double computeSeconds;

    static Result empty() {
      return new Result();
    }

    Result add(Result other) {
      if (other.partitions == 0) {
        return this;
      }
      if (partitions == 0) {
        return other;
      }
      partitions += other.partitions;
      state.addInto(other.state);
      other.metrics.forEach((k, v) -> metrics.merge(k, v, Double::sum));
      computeSeconds = Math.max(computeSeconds, other.computeSeconds);
      return this;
    }
  }

  private final String runKey;
  private final TrainableFactory factory;
  private final String configJson;
  private final Broadcast<TrainingState> state;
  private final Map<String, OptimizerSpec> optimizers;
  private final long firstStep;
  private final int steps;
  private final long seed;
  private final int accumulation;
  private final double clipNorm;
  private final SparkData data;

  LocalStepsTask(String runKey, TrainableFactory factory, String configJson, Broadcast<TrainingState> state,
      Map<String, OptimizerSpec> optimizers, long firstStep, int steps, TrainerConfig driver, SparkData data) {
    this.runKey = runKey;
    this.factory = factory;
    this.configJson = configJson;
    this.state = state;
    this.optimizers = new LinkedHashMap<>(optimizers);
    this.firstStep = firstStep;
    this.steps = steps;
    this.seed = driver.seed();
    this.accumulation = driver.accumulation();
    this.clipNorm = driver.clipNorm();
    this.data = data;
  }

  @Override
  public Result call(Input in) {
    long t0 = System.nanoTime();
    ExecutorModels.Loaded model = ExecutorModels.get(runKey, "partition " + in.partition(), factory, configJson);
    synchronized (model) {
      Map<String, OptimizerConfig> configs = new LinkedHashMap<>();
      optimizers.forEach((group, spec) -> configs.put(group, spec.toConfig()));
      TrainerConfig tc = TrainerConfig.of(firstStep + steps, seed).withAccumulation(accumulation)
          .withClipNorm(clipNorm).withLogEvery(steps).withThreads(1);
      Trainer trainer = new Trainer(model.model, configs, tc);
      Checkpoint live = trainer.checkpoint();
      TrainingState start = state.value();
      trainer.restore(start.toCheckpoint(new Checkpoint(firstStep, seed, live.configJson(), Map.of(), live.model(),
          live.optimizer())));
      Iterator<ShardInput> batches = in.batches().iterator();
      StepRecord last = trainer.fit(rng -> ExecutorDatasets.materialize(data, batches.next().toBatch()));
      Result r = new Result();
      r.partitions = 1;
      r.state = TrainingState.of(trainer.checkpoint(), start);
      r.metrics.putAll(last.metrics());
      r.computeSeconds = (System.nanoTime() - t0) / 1e9;
      return r;
    }
  }
}
