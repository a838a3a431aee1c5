package org.genai4j.spark;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.genai4j.common.train.Checkpoint;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A training state as float arrays: the model's parameters and buffers and the optimizers' state
 * (PyTorch's names, as in a {@link Checkpoint}), each in C order. What averaging mode broadcasts
 * before a block of local steps, what each partition sends back after it, and their sum.
 *
 * @param modelNames the model's array names
 * @param model their values
 * @param optimizerNames the optimizer state's names
 * @param optimizer their values
 */
record TrainingState(String[] modelNames, float[][] model, String[] optimizerNames, float[][] optimizer)
    implements Serializable {

  /** The state in {@code c}. */
  static TrainingState of(Checkpoint c) {
    return new TrainingState(c.model().keySet().toArray(String[]::new), floats(c.model()),
        c.optimizer().keySet().toArray(String[]::new), floats(c.optimizer()));
  }

  /** The state in {@code c}, its arrays in the order of {@code like}'s names. */
  static TrainingState of(Checkpoint c, TrainingState like) {
    return new TrainingState(like.modelNames, floats(c.model(), like.modelNames), like.optimizerNames,
        floats(c.optimizer(), like.optimizerNames));
  }

  private static float[][] floats(Map<String, INDArray> arrays) {
    return floats(arrays, arrays.keySet().toArray(String[]::new));
  }

  private static float[][] floats(Map<String, INDArray> arrays, String[] names) {
    float[][] out = new float[names.length][];
    for (int i = 0; i < names.length; i++) {
      INDArray a = arrays.get(names[i]);
      if (a == null) {
        throw new IllegalStateException("the training state has no array '" + names[i] + "'");
      }
      out[i] = ModelState.floats(names[i], a);
    }
    return out;
  }

  /**
   * A checkpoint of these values, shaped as {@code shapes}' arrays of the same names (the live
   * checkpoint of the model and optimizers they go into).
   */
  Checkpoint toCheckpoint(Checkpoint shapes) {
    return new Checkpoint(shapes.step(), shapes.seed(), shapes.configJson(), shapes.values(),
        arrays(modelNames, model, shapes.model()), arrays(optimizerNames, optimizer, shapes.optimizer()));
  }

  private static Map<String, INDArray> arrays(String[] names, float[][] values, Map<String, INDArray> shapes) {
    Map<String, INDArray> out = new LinkedHashMap<>();
    for (int i = 0; i < names.length; i++) {
      INDArray like = shapes.get(names[i]);
      if (like == null) {
        throw new IllegalStateException("the model or optimizer has no array '" + names[i] + "'");
      }
      out.put(names[i], Nd4j.create(values[i], like.shape(), 'c'));
    }
    return out;
  }

  /** Adds {@code other}'s values into this state's arrays (same names and order); returns this. */
  TrainingState addInto(TrainingState other) {
    add(model, other.model);
    add(optimizer, other.optimizer);
    return this;
  }

  /** Divides every value by {@code n}. */
  void divide(int n) {
    for (float[][] group : List.of(model, optimizer)) {
      for (float[] a : group) {
        for (int j = 0; j < a.length; j++) {
          a[j] /= n;
        }
      }
    }
  }

  private static void add(float[][] into, float[][] from) {
    for (int i = 0; i < into.length; i++) {
      for (int j = 0; j < into[i].length; j++) {
        into[i][j] += from[i][j];
      }
    }
  }
}
