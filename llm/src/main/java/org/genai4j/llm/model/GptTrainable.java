package org.genai4j.llm.model;

import java.util.List;
import org.genai4j.common.train.ModuleGroup;
import org.genai4j.common.train.ParameterGroup;
import org.genai4j.common.train.Replicas;
import org.genai4j.common.train.Trainable;

/**
 * A {@link Gpt} as the {@link org.genai4j.common.train.Trainer} and {@link
 * org.genai4j.common.train.Checkpoint} see it: one group, {@code gpt}, of all its parameters, whose
 * batches the trainer splits over copies of the model that share its values ({@link Replicas}).
 */
public final class GptTrainable implements Trainable {
  private final Gpt model;
  private final ModuleGroup<Gpt> group;

  public GptTrainable(Gpt model) {
    this(model, p -> new Gpt(model.config(), p), name -> true);
  }

  /**
   * A model of which only the parameters {@code trains} selects train, and are saved in
   * checkpoints (LoRA: the adapters); {@code build} makes the shards' copies (the model's
   * constructor, adapters included).
   */
  public GptTrainable(Gpt model, java.util.function.Function<org.genai4j.common.ops.Params, Gpt> build,
      java.util.function.Predicate<String> trains) {
    this.model = model;
    Replicas<Gpt> replicas = new Replicas<>(model, model.params(), build);
    group = new ModuleGroup<>("gpt", replicas, trains, (gpt, batch, ctx) -> gpt.trainStep(batch, ctx));
  }

  /** The model itself (the copy the first shard runs). */
  public Gpt model() {
    return model;
  }

  @Override
  public List<ParameterGroup> parameterGroups() {
    return List.of(group);
  }

  @Override
  public String configJson() {
    return model.config().toJson();
  }
}
