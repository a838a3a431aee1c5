package org.genai4j.common.train;

import java.util.List;

/** A model as the {@link Trainer} sees it: its parameter groups, stepped in this order each step. */
public interface Trainable {

  /** The groups in the order they are stepped (a GAN: discriminator first, then generator). */
  List<ParameterGroup> parameterGroups();

  /** The model's configuration as JSON, stored in checkpoints so the model can be rebuilt. */
  String configJson();

  /**
   * A model made of the given groups, for training loops that assemble their groups themselves
   * (a fine-tuning run, a feature classifier).
   *
   * @param configJson what {@link #configJson} returns
   * @param groups     the groups, in stepping order
   */
  static Trainable of(String configJson, ParameterGroup... groups) {
    List<ParameterGroup> list = List.of(groups);
    return new Trainable() {
      @Override
      public List<ParameterGroup> parameterGroups() {
        return list;
      }

      @Override
      public String configJson() {
        return configJson;
      }
    };
  }

  /** The total number of trainable scalars. */
  default long parameterCount() {
    long n = 0;
    for (ParameterGroup g : parameterGroups()) {
      for (var a : g.parameters().values()) {
        n += a.length();
      }
    }
    return n;
  }
}
