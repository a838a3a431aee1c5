package org.genai4j.spark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.genai4j.common.train.Batch;
import org.genai4j.common.train.BatchSource;
import org.genai4j.common.train.Checkpoint;
import org.genai4j.common.train.ParameterGroup;
import org.genai4j.common.train.StepRunner;
import org.genai4j.common.train.Trainable;
import org.genai4j.common.train.Trainer;
import org.genai4j.common.util.Parallel;

/**
 * Parameter averaging (what dl4j-spark called the averaging frequency), as the trainer's {@link
 * StepRunner}: the driver draws the batches of the next {@code every} steps, splits each over the
 * partitions, and broadcasts the model and optimizer state; each partition trains its own copy
 * that many steps on its shards ({@link LocalStepsTask}), one Spark job in all; the driver sets the
 * model and the optimizers' state (Adam's moments, SGD's momentum) to the partitions' mean. The
 * trainer cuts blocks short at its records, evaluations and checkpoints, so those always see an
 * averaged model. With one partition this is plain training; with more it is not equal to
 * synchronous training, but costs one job per {@code every} steps instead of one per step and group.
 */
final class AveragingRunner implements StepRunner, AutoCloseable {
  private final JavaSparkContext spark;
  private final Trainable model;
  private final TrainableFactory factory;
  private final int partitions;
  private final int every;
  private final String runKey;
  private final SparkData data;

  AveragingRunner(JavaSparkContext spark, Trainable model, TrainableFactory factory, int partitions, int every,
      String runKey, SparkData data) {
    this.spark = spark;
    this.model = model;
    this.factory = factory;
    this.partitions = partitions;
    this.every = every;
    this.runKey = runKey;
    this.data = data;
  }

  @Override
  public Block run(Trainer trainer, BatchSource source, int maxSteps) {
    int steps = Math.min(every, maxSteps);
    long first = trainer.step();
    List<List<Batch>> perStep = new ArrayList<>(steps);
    long units = 0;
    int smallest = Integer.MAX_VALUE;
    for (int i = 0; i < steps; i++) {
      List<Batch> micro = trainer.batches(source, first + i);
      perStep.add(micro);
      for (Batch b : micro) {
        units += b.units();
        smallest = Math.min(smallest, b.examples());
      }
    }
    int parts = Math.min(partitions, smallest);
    List<LocalStepsTask.Input> inputs = new ArrayList<>(parts);
    for (int p = 0; p < parts; p++) {
      List<ShardInput> mine = new ArrayList<>();
      for (List<Batch> micro : perStep) {
        for (Batch b : micro) {
          int[] bounds = Parallel.bounds(b.examples(), parts);
          mine.add(ShardInput.of(b, p, parts, bounds[p], bounds[p + 1]));
        }
      }
      inputs.add(new LocalStepsTask.Input(p, mine));
    }
    Map<String, OptimizerSpec> optimizers = new LinkedHashMap<>();
    for (ParameterGroup g : model.parameterGroups()) {
      optimizers.put(g.name(), OptimizerSpec.of(trainer.optimizerConfig(g.name()), first, steps));
    }
    long t0 = System.nanoTime();
    Checkpoint now = trainer.checkpoint();
    Broadcast<TrainingState> state = spark.broadcast(TrainingState.of(now));
    double broadcastSeconds = (System.nanoTime() - t0) / 1e9;
    long t1 = System.nanoTime();
    LocalStepsTask.Result sum;
    try {
      spark.setJobDescription("steps " + (first + 1) + "-" + (first + steps) + ", averaged over " + parts);
      // Plain tasks, not a barrier stage: partitions do not talk during a block, and Spark retries a lost one alone.
      sum = spark.parallelize(inputs, parts)
          .map(new LocalStepsTask(runKey, factory, model.configJson(), state, optimizers, first, steps,
              trainer.config(), data))
          .treeAggregate(LocalStepsTask.Result.empty(), LocalStepsTask.Result::add, LocalStepsTask.Result::add);
    } finally {
      state.destroy();
    }
    double jobSeconds = (System.nanoTime() - t1) / 1e9;
    if (sum.partitions != parts) {
      throw new IllegalStateException("steps " + (first + 1) + "-" + (first + steps) + " averaged " + sum.partitions
          + " partitions of " + parts);
    }
    sum.state.divide(parts);
    trainer.restore(sum.state.toCheckpoint(now));
    for (ParameterGroup g : model.parameterGroups()) {
      g.afterUpdate();
    }
    Map<String, Double> metrics = new LinkedHashMap<>();
    sum.metrics.forEach((k, v) -> metrics.put(k, v / parts));
    metrics.put("spark/compute_s", sum.computeSeconds / steps);
    metrics.put("spark/aggregate_s", Math.max(0, jobSeconds - sum.computeSeconds) / steps);
    metrics.put("spark/broadcast_s", broadcastSeconds / steps);
    return new Block(steps, metrics, units);
  }

  @Override
  public void close() {
    ExecutorModels.release(runKey);
  }
}
