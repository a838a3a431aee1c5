package org.genai4j.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.broadcast.Broadcast;
import org.genai4j.common.ops.StepContext;
import org.genai4j.common.train.Gradients;
import org.genai4j.common.train.ParameterGroup;
import org.nd4j.linalg.api.ndarray.INDArray;
import scala.collection.Iterator;
import scala.runtime.AbstractFunction1;

/**
 * One task of a synchronous step, run on an executor: loads the broadcast version of the model
 * into its JVM's copy, computes one parameter group's loss and gradients on its shard of the batch
 * with the context the local trainer would give that shard, and returns them as float arrays.
 */
final class ShardTask extends AbstractFunction1<Iterator<ShardInput>, Iterator<ShardResult>>
    implements Serializable {
  private final String runKey;
  private final TrainableFactory factory;
  private final String configJson;
  private final Broadcast<ModelState> state;
  private final int groupIndex;
  private final String[] bufferNames;
  private final long seed;
  private final long step;
  private final long epoch;
  private final String exchangeHost;
  private final int exchangePort;
  private final long job;
  private final SparkData data;

  ShardTask(String runKey, TrainableFactory factory, String configJson, Broadcast<ModelState> state, int groupIndex,
      String[] bufferNames, StepContext ctx, ExchangeServer exchange, long job, SparkData data) {
    this.runKey = runKey;
    this.factory = factory;
    this.configJson = configJson;
    this.state = state;
    this.groupIndex = groupIndex;
    this.bufferNames = bufferNames;
    this.seed = ctx.seed();
    this.step = ctx.step();
    this.epoch = ctx.epoch();
    this.exchangeHost = exchange.host();
    this.exchangePort = exchange.port();
    this.job = job;
    this.data = data;
  }

  @Override
  public Iterator<ShardResult> apply(Iterator<ShardInput> inputs) {
    BarrierTaskContext task = BarrierTaskContext.get();
    List<ShardResult> out = new ArrayList<>(1);
    while (inputs.hasNext()) {
      out.add(compute(task, inputs.next()));
    }
    return scala.jdk.javaapi.CollectionConverters.asScala(out.iterator());
  }

  private ShardResult compute(BarrierTaskContext task, ShardInput in) {
    long t0 = System.nanoTime();
    ExecutorModels.Loaded model = ExecutorModels.get(runKey, "", factory, configJson);
    model.ensure(state.value());
    ParameterGroup group = model.model.parameterGroups().get(groupIndex);
    Gradients g;
    try (DriverExchange exchange = new DriverExchange(exchangeHost, exchangePort, job, task.stageAttemptNumber(),
        in.shards())) {
      StepContext ctx = StepContext.training(seed, step).withEpoch(epoch)
          .forShard(in.shard(), in.firstRow(), exchange);
      g = group.computeGradients(ExecutorDatasets.materialize(data, in.toBatch()), ctx);
    }
    ShardResult r = new ShardResult();
    r.shards = 1;
    r.loss = g.loss();
    r.metrics.putAll(g.metrics());
    List<String> names = new ArrayList<>(group.parameters().keySet());
    r.gradients = new float[names.size()][];
    for (int i = 0; i < names.size(); i++) {
      INDArray grad = g.gradients().get(names.get(i));
      if (grad == null) {
        throw new IllegalStateException("group '" + group.name() + "' computed no gradient for '" + names.get(i) + "'");
      }
      r.gradients[i] = ModelState.floats("the gradient of '" + names.get(i) + "'", grad);
    }
    // Shard 0 is the one that updates running statistics; the driver takes its buffers.
    r.buffers = in.shard() == 0 ? model.buffers(bufferNames) : null;
    r.computeSeconds = (System.nanoTime() - t0) / 1e9;
    return r;
  }

  /** The names of all buffers of the groups of a model, in order. */
  static String[] bufferNames(List<ParameterGroup> groups) {
    List<String> names = new ArrayList<>();
    for (ParameterGroup g : groups) {
      for (Map.Entry<String, INDArray> e : g.buffers().entrySet()) {
        names.add(e.getKey());
      }
    }
    return names.toArray(String[]::new);
  }
}
