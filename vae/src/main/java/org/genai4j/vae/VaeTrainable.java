package org.genai4j.vae;

import java.util.List;
import org.genai4j.common.train.ModuleGroup;
import org.genai4j.common.train.ParameterGroup;
import org.genai4j.common.train.Trainable;

/**
 * A VAE as the trainer and checkpoints see it: one parameter group over the model and its copies
 * for the threads a batch is split over (each runs {@link Vae#trainStep} on its rows).
 */
public final class VaeTrainable implements Trainable {
  static final String GROUP = "vae";

  private final Vae vae;
  private final ModuleGroup<Vae> group;

  public VaeTrainable(Vae vae) {
    this.vae = vae;
    this.group = ModuleGroup.all(GROUP, vae.replicas(), Vae::trainStep);
  }

  /** The model (the copy the first shard runs). */
  public Vae model() {
    return vae;
  }

  @Override
  public List<ParameterGroup> parameterGroups() {
    return List.of(group);
  }

  @Override
  public String configJson() {
    return vae.config().toJson();
  }
}
