package org.genai4j.common.train;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.genai4j.common.ops.Params;

/**
 * One copy of a model per shard thread: copy 0 is the model itself; the others are built by the
 * same constructor on a replica of its {@link Params}, so they share its parameter values and
 * buffers and own their gradients and activations. Replicas are built on first use.
 *
 * @param <M> the model's type
 */
public final class Replicas<M> {
  private final List<M> models = new ArrayList<>();
  private final List<Params> params = new ArrayList<>();
  private final Function<Params, M> build;

  /**
   * @param model the model, built by {@code build} on {@code modelParams}
   * @param build builds the same model on other parameters (its constructor)
   */
  public Replicas(M model, Params modelParams, Function<Params, M> build) {
    models.add(model);
    params.add(modelParams);
    this.build = build;
  }

  /** The model itself (copy 0). */
  public M model() {
    return models.get(0);
  }

  /** The copy for shard {@code shard}. */
  public synchronized M get(int shard) {
    while (models.size() <= shard) {
      Params p = params.get(0).replica();
      models.add(build.apply(p));
      params.add(p);
    }
    return models.get(shard);
  }

  /** The parameters of the copy for shard {@code shard}. */
  public synchronized Params params(int shard) {
    get(shard);
    return params.get(shard);
  }
}
