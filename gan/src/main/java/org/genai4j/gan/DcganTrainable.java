package org.genai4j.gan;

import java.util.List;
import org.genai4j.common.train.ModuleGroup;
import org.genai4j.common.train.ParameterGroup;
import org.genai4j.common.train.Replicas;
import org.genai4j.common.train.Trainable;

/**
 * A {@link Dcgan} as the common Trainer sees it: one model with a replica per shard thread, stepped
 * as two parameter groups over those same replicas, {@code "D"} (every {@code discriminator.*}
 * parameter and buffer) first, then {@code "G"} ({@code generator.*}). Sharing the replicas is what
 * lets each shard's G step find its D step's generator pass; while one group steps, the harness
 * freezes the other's parameters.
 */
public final class DcganTrainable implements Trainable {
  private final Dcgan model;
  private final ModuleGroup<Dcgan> discriminator;
  private final ModuleGroup<Dcgan> generator;

  public DcganTrainable(Dcgan model) {
    this.model = model;
    Replicas<Dcgan> replicas = new Replicas<>(model, model.params(), p -> new Dcgan(model.config(), p));
    discriminator = new ModuleGroup<>("D", replicas, name -> name.startsWith(Dcgan.DISCRIMINATOR),
        Dcgan::discriminatorStep);
    generator = new ModuleGroup<>("G", replicas, name -> name.startsWith(Dcgan.GENERATOR), Dcgan::generatorStep);
  }

  /** The model (replica 0). */
  public Dcgan model() {
    return model;
  }

  /** The discriminator's group, stepped first. */
  public ParameterGroup discriminator() {
    return discriminator;
  }

  /** The generator's group. */
  public ParameterGroup generator() {
    return generator;
  }

  @Override
  public List<ParameterGroup> parameterGroups() {
    return List.of(discriminator, generator);
  }

  @Override
  public String configJson() {
    return model.config().toJson();
  }
}
