package org.genai4j.spark;

import java.util.UUID;
import org.apache.spark.api.java.JavaSparkContext;
import org.genai4j.common.train.StepRecord;
import org.genai4j.common.train.Trainer;
import org.genai4j.common.train.TrainingListener;

/**
 * Runs a {@link Trainer}'s steps on Spark: added to a trainer (as a listener, so any family's
 * {@code train(..., extraListeners)} takes it), it makes the trainer compute every group's
 * gradients over {@code partitions} Spark tasks ({@link SyncGradients}) while the trainer keeps
 * everything else on the driver: batches, clipping, the optimizer, evaluation, checkpoints in the
 * run folder, {@code --resume}, progress and {@code metrics.jsonl} (which gains {@code
 * spark/compute_s}, {@code spark/aggregate_s} and {@code spark/broadcast_s} per step). The result
 * equals local training with the same global batch. With {@code averagingEvery} K > 0 it trains by
 * parameter averaging instead ({@link AveragingRunner}): each partition takes K local steps on its
 * shards, then parameters and optimizer state are averaged.
 *
 * <p>Executors rebuild the model from its configuration JSON with {@code factory} and receive its
 * weights as float arrays; nothing of ND4J is Java-serialized.
 */
public final class SparkTrainer implements TrainingListener {
  private final JavaSparkContext spark;
  private final int partitions;
  private final int averagingEvery;
  private final TrainableFactory factory;
  private final SparkData data;
  private final String runKey = UUID.randomUUID().toString();
  private AutoCloseable mode;

  /**
   * @param spark the context to run on
   * @param partitions tasks per step (at most the cluster's cores: a step's tasks run together)
   * @param averagingEvery 0 for synchronous training; K for parameter averaging every K local steps
   * @param factory rebuilds the model on executors; null to pick genai4j's own family by the model's class
   * @param data the training set as the executors read it themselves (then each step's tasks get only
   *     their shard's indices); null to ship each shard's examples from the driver with its task
   */
  public SparkTrainer(JavaSparkContext spark, int partitions, int averagingEvery, TrainableFactory factory,
      SparkData data) {
    if (partitions < 1) {
      throw new IllegalArgumentException("--partitions must be >= 1, got " + partitions);
    }
    if (averagingEvery < 0) {
      throw new IllegalArgumentException("--averaging-every must be >= 0 (0: synchronous), got " + averagingEvery);
    }
    this.spark = spark;
    this.partitions = partitions;
    this.averagingEvery = averagingEvery;
    this.factory = factory;
    this.data = data;
    checkSlots();
  }

  /**
   * As {@link #SparkTrainer(JavaSparkContext, int, int, TrainableFactory, SparkData)}, shipping each
   * step's examples from the driver.
   */
  public SparkTrainer(JavaSparkContext spark, int partitions, int averagingEvery, TrainableFactory factory) {
    this(spark, partitions, averagingEvery, factory, null);
  }

  /** Synchronous training of one of genai4j's own families over {@code partitions} tasks per step. */
  public SparkTrainer(JavaSparkContext spark, int partitions) {
    this(spark, partitions, 0, null, null);
  }

  @Override
  public void attach(Trainer trainer) {
    if (mode != null) {
      throw new IllegalStateException("a SparkTrainer drives one trainer; make a new one per run");
    }
    TrainableFactory f = factory != null ? factory : SparkModels.of(trainer.model());
    if (data != null) {
      trainer.setSourceAdapter(source -> IndexedBatches.of(source, data, spark, partitions));
    }
    if (averagingEvery > 0) {
      AveragingRunner runner = new AveragingRunner(spark, trainer.model(), f, partitions, averagingEvery, runKey, data);
      trainer.setStepRunner(runner);
      mode = runner;
    } else {
      SyncGradients gradients = new SyncGradients(spark, trainer.model(), f, partitions, runKey, data);
      trainer.setGradientSource(gradients);
      mode = gradients;
    }
  }

  /**
   * A synchronous step's tasks must all run at once: in local mode, where the cores are known up
   * front, more partitions than cores is an error now rather than a stage that waits for slots.
   */
  private void checkSlots() {
    if (averagingEvery == 0 && spark.isLocal() && partitions > spark.defaultParallelism()) {
      throw new IllegalArgumentException("--partitions " + partitions + " exceeds the " + spark.defaultParallelism()
          + " cores of " + spark.master() + " (a synchronous step runs all its tasks at once)");
    }
  }

  @Override
  public void onStep(StepRecord record) {}

  @Override
  public void close() {
    if (data != null) {
      ExecutorDatasets.release(data.id());
    }
    if (mode != null) {
      try {
        mode.close();
      } catch (Exception e) {
        throw new IllegalStateException("could not release the Spark run: " + e.getMessage(), e);
      }
    }
  }
}
