package org.genai4j.common.ops;

import java.util.ArrayList;
import java.util.List;

/** Layers applied one after another; the backward pass runs them in reverse. */
public final class Sequential implements Layer {
  private final List<Layer> layers;

  public Sequential(List<Layer> layers) {
    this.layers = List.copyOf(layers);
  }

  public static Sequential of(Layer... layers) {
    return new Sequential(List.of(layers));
  }

  public List<Layer> layers() {
    return layers;
  }

  @Override
  public Tensor forward(StepContext ctx, Tensor x) {
    for (Layer l : layers) {
      x = l.forward(ctx, x);
    }
    return x;
  }

  @Override
  public Tensor backward(StepContext ctx, Tensor dy) {
    for (int i = layers.size() - 1; i >= 0 && dy != null; i--) {
      dy = layers.get(i).backward(ctx, dy);
    }
    return dy;
  }

  @Override
  public List<Param> params() {
    List<Param> all = new ArrayList<>();
    layers.forEach(l -> all.addAll(l.params()));
    return all;
  }
}
