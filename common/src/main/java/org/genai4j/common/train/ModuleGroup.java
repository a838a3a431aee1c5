package org.genai4j.common.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.genai4j.common.ops.Param;
import org.genai4j.common.ops.Params;
import org.genai4j.common.ops.StepContext;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A parameter group of a model written with ops ({@link org.genai4j.common.ops}): the parameters
 * it trains (a subset of the model's, chosen by name), and the step that runs the model's forward
 * and backward pass on a batch. The {@link Trainer} may split a batch over threads: each shard runs
 * on its own copy of the model ({@link Replicas}) and the trainer adds the shards' gradients.
 *
 * <p>Before each step the group marks its own parameters as requiring gradients and every other
 * parameter of the model as frozen (a GAN's generator step computes no gradients for D), and zeroes
 * its gradients (ops add into them).
 *
 * @param <M> the model's type
 */
public final class ModuleGroup<M> implements ParameterGroup {

  /** A model's training step on (part of) a batch: forward, loss, backward. */
  @FunctionalInterface
  public interface Step<M> {
    StepLoss run(M model, Batch batch, StepContext ctx);
  }

  private final String name;
  private final Replicas<M> replicas;
  private final Predicate<String> members;
  private final Step<M> step;
  private final Map<String, INDArray> parameters = new LinkedHashMap<>();
  private final Map<String, INDArray> buffers = new LinkedHashMap<>();
  private final List<Map<String, INDArray>> gradients = new ArrayList<>();

  /**
   * @param name the group's name (logs, optimizer configuration)
   * @param replicas the model and its copies
   * @param members which parameters (and buffers) of the model, by name, belong to this group
   * @param step the training step
   */
  public ModuleGroup(String name, Replicas<M> replicas, Predicate<String> members, Step<M> step) {
    this.name = name;
    this.replicas = replicas;
    this.members = members;
    this.step = step;
    Params p = replicas.params(0);
    for (Param q : p.list()) {
      if (members.test(q.name())) {
        parameters.put(q.name(), q.value().array());
      }
    }
    if (parameters.isEmpty()) {
      throw new IllegalArgumentException("parameter group '" + name + "' has no parameters; the model has "
          + p.byName().keySet());
    }
    p.buffers().forEach((k, v) -> {
      if (members.test(k)) {
        buffers.put(k, v.array());
      }
    });
  }

  /** A group of all of the model's parameters. */
  public static <M> ModuleGroup<M> all(String name, Replicas<M> replicas, Step<M> step) {
    return new ModuleGroup<>(name, replicas, n -> true, step);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Map<String, INDArray> parameters() {
    return Collections.unmodifiableMap(parameters);
  }

  @Override
  public Map<String, INDArray> buffers() {
    return Collections.unmodifiableMap(buffers);
  }

  @Override
  public boolean shardable() {
    return true;
  }

  @Override
  public Gradients computeGradients(Batch batch, StepContext ctx) {
    M model = replicas.get(ctx.shard());
    Params p = replicas.params(ctx.shard());
    Map<String, INDArray> grads = gradientArrays(ctx.shard(), p);
    for (Param q : p.list()) {
      boolean mine = members.test(q.name());
      q.setRequiresGrad(mine);
      if (mine) {
        q.zeroGrad();
      }
    }
    StepLoss loss = step.run(model, batch, ctx);
    for (Param q : p.list()) {
      if (members.test(q.name())) {
        // Clears the gradients no op wrote this step (zeroing is lazy).
        q.grad();
      }
    }
    return new Gradients(loss.loss(), grads, loss.metrics());
  }

  /** The model's parameters (of copy 0). */
  public Params params() {
    return replicas.params(0);
  }

  private synchronized Map<String, INDArray> gradientArrays(int shard, Params p) {
    while (gradients.size() <= shard) {
      gradients.add(null);
    }
    if (gradients.get(shard) == null) {
      Map<String, INDArray> g = new LinkedHashMap<>();
      for (Param q : p.list()) {
        if (members.test(q.name())) {
          g.put(q.name(), q.grad().array());
        }
      }
      gradients.set(shard, g);
    }
    return gradients.get(shard);
  }
}
