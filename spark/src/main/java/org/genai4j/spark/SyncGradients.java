package org.genai4j.spark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rdd.RDD;
import org.genai4j.common.ops.StepContext;
import org.genai4j.common.train.Batch;
import org.genai4j.common.train.GradientSource;
import org.genai4j.common.train.Gradients;
import org.genai4j.common.train.ParameterGroup;
import org.genai4j.common.train.Trainable;
import org.genai4j.common.util.Parallel;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * Synchronous data parallelism on Spark, as the trainer's {@link GradientSource}: for each group
 * of each step the driver broadcasts its model (once per version: step and group), splits the
 * batch over the partitions exactly as the local trainer splits it over threads, runs one barrier
 * task per shard (a step's tasks must run together: the shards exchange batch-wide sums through
 * the driver's {@link ExchangeServer}) and sums the tasks' results with {@code treeAggregate}. The
 * trainer then clips and steps the optimizer on the driver, as it does locally, so the run equals a
 * local run of the same global batch. Spark does not retry a failed barrier result stage, so a job
 * that fails (a lost executor) runs again here, on a fresh broadcast, up to {@value #MAX_ATTEMPTS}
 * times.
 */
final class SyncGradients implements GradientSource, AutoCloseable {
  /** Times a step's job is run before the run stops (Spark's own default for a task). */
  private static final int MAX_ATTEMPTS = 4;
  private static final ClassTag<ShardResult> RESULT = ClassTag$.MODULE$.apply(ShardResult.class);

  private final JavaSparkContext spark;
  private final Trainable model;
  private final TrainableFactory factory;
  private final int partitions;
  private final String runKey;
  private final SparkData data;
  private final String[] bufferNames;
  private final Map<String, INDArray> driverArrays;
  private final ExchangeServer exchange;
  private long jobs;
  private long serial;
  private long publishedVersion = -1;
  private Broadcast<ModelState> broadcast;
  private double computeSeconds;
  private double aggregateSeconds;
  private double broadcastSeconds;

  SyncGradients(JavaSparkContext spark, Trainable model, TrainableFactory factory, int partitions, String runKey,
      SparkData data) {
    this.spark = spark;
    this.model = model;
    this.factory = factory;
    this.partitions = partitions;
    this.runKey = runKey;
    this.data = data;
    this.bufferNames = ShardTask.bufferNames(model.parameterGroups());
    this.driverArrays = ModelState.liveArrays(model);
    this.exchange = new ExchangeServer(spark.getConf().get("spark.driver.host", "127.0.0.1"));
  }

  @Override
  public Gradients gradients(int groupIndex, ParameterGroup group, Batch batch, StepContext ctx) {
    long version = ctx.step() * model.parameterGroups().size() + groupIndex;
    publish(version, false);
    int shards = Math.min(partitions, batch.examples());
    int[] bounds = Parallel.bounds(batch.examples(), shards);
    List<ShardInput> inputs = new ArrayList<>(shards);
    for (int s = 0; s < shards; s++) {
      inputs.add(ShardInput.of(batch, s, shards, bounds[s], bounds[s + 1]));
    }
    long t0 = System.nanoTime();
    ShardResult sum = null;
    for (int attempt = 1; sum == null; attempt++) {
      try {
        sum = runJob(group, groupIndex, ctx, inputs, attempt);
      } catch (Exception e) { // SparkException is checked in Java's eyes, though Scala throws it undeclared
        if (attempt == MAX_ATTEMPTS) {
          throw new IllegalStateException("step " + (ctx.step() + 1) + " (group " + group.name() + ") failed on Spark "
              + MAX_ATTEMPTS + " times; the last time: " + firstLine(e), e);
        }
        System.err.println("genai4j: step " + (ctx.step() + 1) + " failed on Spark (" + firstLine(e) + "); running it"
            + " again (attempt " + (attempt + 1) + " of " + MAX_ATTEMPTS + ")");
        // A failed barrier stage is not retried by Spark: run the job again on a fresh broadcast,
        // so executors that ran part of the failed one (and updated buffers) start from the driver's state.
        publish(version, true);
      }
    }
    double jobSeconds = (System.nanoTime() - t0) / 1e9;
    if (sum.shards != shards) {
      throw new IllegalStateException("step " + (ctx.step() + 1) + " summed " + sum.shards + " shards of " + shards);
    }
    computeSeconds += sum.computeSeconds;
    aggregateSeconds += Math.max(0, jobSeconds - sum.computeSeconds);
    for (int i = 0; i < bufferNames.length; i++) {
      ModelState.assign(driverArrays.get(bufferNames[i]), sum.buffers[i]);
    }
    Map<String, INDArray> grads = new LinkedHashMap<>();
    int i = 0;
    for (var e : group.parameters().entrySet()) {
      grads.put(e.getKey(), Nd4j.create(sum.gradients[i++], e.getValue().shape(), 'c'));
    }
    return new Gradients(sum.loss, grads, sum.metrics);
  }

  /** Runs the step's job for one group: one barrier task per shard, their results summed. */
  private ShardResult runJob(ParameterGroup group, int groupIndex, StepContext ctx, List<ShardInput> inputs,
      int attempt) {
    spark.setJobDescription("step " + (ctx.step() + 1) + ", group " + group.name()
        + (attempt > 1 ? ", attempt " + attempt : ""));
    RDD<ShardInput> shards = spark.parallelize(inputs, inputs.size()).rdd();
    RDD<ShardResult> results = shards.barrier().mapPartitions(
        new ShardTask(runKey, factory, model.configJson(), broadcast, groupIndex, bufferNames, ctx, exchange, jobs++, data),
        false, RESULT);
    try {
      return JavaRDD.fromRDD(results, RESULT).treeAggregate(ShardResult.empty(), ShardResult::add, ShardResult::add);
    } finally {
      exchange.clear();
    }
  }

  private static String firstLine(Throwable e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  /**
   * Broadcasts the driver's model for {@code version} (step and group) unless it is out already or
   * {@code again} asks for a fresh copy; each broadcast has a serial number of its own.
   */
  private void publish(long version, boolean again) {
    if (broadcast != null && publishedVersion == version && !again) {
      return;
    }
    publishedVersion = version;
    long t0 = System.nanoTime();
    Broadcast<ModelState> next = spark.broadcast(ModelState.of(serial++, model));
    if (broadcast != null) {
      broadcast.destroy(); // no task of a later job reads an older version
    }
    broadcast = next;
    broadcastSeconds += (System.nanoTime() - t0) / 1e9;
  }

  @Override
  public Map<String, Double> takeStepMetrics() {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("spark/compute_s", computeSeconds);
    m.put("spark/aggregate_s", aggregateSeconds);
    m.put("spark/broadcast_s", broadcastSeconds);
    computeSeconds = 0;
    aggregateSeconds = 0;
    broadcastSeconds = 0;
    return m;
  }

  @Override
  public void close() {
    exchange.close();
    if (broadcast != null) {
      broadcast.destroy();
      broadcast = null;
    }
    ExecutorModels.release(runKey);
  }
}
