package org.genai4j.spark;

import java.util.Map;
import org.genai4j.common.train.Trainable;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The models an executor JVM computes with: built once per run and slot from the configuration
 * JSON, then refreshed from each broadcast version. In synchronous mode the tasks of a run on this
 * JVM (several shards of one batch, as in {@code local[N]}) share one model (slot {@code ""})
 * through its {@link org.genai4j.common.train.Replicas}, exactly as the local trainer's threads do;
 * in averaging mode each partition trains a model of its own (its slot). One run at a time: a new
 * run replaces the old models.
 */
final class ExecutorModels {
  private ExecutorModels() {}

  private static String runKey;
  private static final java.util.Map<String, Loaded> loaded = new java.util.HashMap<>();

  /** A model and the version of the driver's state it holds. */
  static final class Loaded {
    final Trainable model;
    private final Map<String, INDArray> live;
    private long version = -1;

    Loaded(Trainable model) {
      this.model = model;
      this.live = ModelState.liveArrays(model);
    }

    /** Loads {@code state} unless this version is loaded already (the first task of a version loads it). */
    synchronized void ensure(ModelState state) {
      if (state.version() != version) {
        state.copyInto(live);
        version = state.version();
      }
    }

    /** The buffers' current values, in {@code names}' order (names that are not buffers are skipped). */
    float[][] buffers(String[] bufferNames) {
      float[][] out = new float[bufferNames.length][];
      for (int i = 0; i < out.length; i++) {
        out[i] = ModelState.floats(bufferNames[i], live.get(bufferNames[i]));
      }
      return out;
    }
  }

  /** The model of run {@code key} in {@code slot}, built by {@code factory} on first use in this JVM. */
  static synchronized Loaded get(String key, String slot, TrainableFactory factory, String configJson) {
    if (!key.equals(runKey)) {
      loaded.clear(); // let the previous run's models go before building this one's
      runKey = key;
    }
    return loaded.computeIfAbsent(slot, s -> new Loaded(factory.build(configJson)));
  }

  /** Forgets run {@code key}'s models (when the driver shares this JVM, at the end of its run). */
  static synchronized void release(String key) {
    if (key.equals(runKey)) {
      loaded.clear();
      runKey = null;
    }
  }
}
