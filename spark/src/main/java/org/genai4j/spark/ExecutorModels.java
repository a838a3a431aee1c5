package org.genai4j.spark;

import java.util.Map;
import org.genai4j.common.train.Trainable;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The model an executor JVM computes with: built once per run from the configuration JSON, then
 * refreshed from each broadcast version. Tasks of the same run on this JVM (several shards of one
 * batch, as in {@code local[N]}) share it through its {@link org.genai4j.common.train.Replicas},
 * exactly as the local trainer's threads do. One run at a time: a new run replaces the old model.
 */
final class ExecutorModels {
  private ExecutorModels() {}

  private static String runKey;
  private static Loaded loaded;

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

  /** The model of run {@code key}, built by {@code factory} on first use in this JVM. */
  static synchronized Loaded get(String key, TrainableFactory factory, String configJson) {
    if (!key.equals(runKey)) {
      loaded = null; // let the previous run's model go before building this one
      loaded = new Loaded(factory.build(configJson));
      runKey = key;
    }
    return loaded;
  }

  /** Forgets run {@code key}'s model (when the driver shares this JVM, at the end of its run). */
  static synchronized void release(String key) {
    if (key.equals(runKey)) {
      loaded = null;
      runKey = null;
    }
  }
}
