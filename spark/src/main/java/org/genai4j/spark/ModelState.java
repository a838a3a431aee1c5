package org.genai4j.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.genai4j.common.train.ParameterGroup;
import org.genai4j.common.train.Trainable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Every parameter and buffer of a model as plain float arrays, in C order, with the version they
 * belong to: what the driver broadcasts to the executors before a group's gradients are computed.
 *
 * @param version a serial number: each broadcast of the driver's model has its own
 * @param names the arrays' names, in the model's order
 * @param values the arrays' values, one per name
 */
record ModelState(long version, String[] names, float[][] values) implements Serializable {

  /** The live parameters and buffers of {@code model} by name (each group's, names unique). */
  static Map<String, INDArray> liveArrays(Trainable model) {
    Map<String, INDArray> all = new LinkedHashMap<>();
    for (ParameterGroup g : model.parameterGroups()) {
      all.putAll(g.parameters());
      all.putAll(g.buffers());
    }
    return all;
  }

  /** A copy of {@code model}'s arrays; a one-line error for arrays that are not FLOAT. */
  static ModelState of(long version, Trainable model) {
    Map<String, INDArray> live = liveArrays(model);
    List<String> names = new ArrayList<>(live.keySet());
    float[][] values = new float[names.size()][];
    for (int i = 0; i < values.length; i++) {
      values[i] = floats(names.get(i), live.get(names.get(i)));
    }
    return new ModelState(version, names.toArray(String[]::new), values);
  }

  /** A FLOAT array's values in C order. */
  static float[] floats(String name, INDArray a) {
    if (a.dataType() != DataType.FLOAT) {
      throw new IllegalArgumentException("array '" + name + "' is " + a.dataType()
          + "; training on Spark ships FLOAT parameters and gradients only");
    }
    return a.dup('c').data().asFloat();
  }

  /** Writes {@code values} into the live array {@code target} (same length, C order). */
  static void assign(INDArray target, float[] values) {
    if (values.length != target.length()) {
      throw new IllegalStateException("an array of " + values.length + " values cannot fill one of shape "
          + java.util.Arrays.toString(target.shape()));
    }
    target.assign(Nd4j.create(values, target.shape(), 'c'));
  }

  /** Copies these values into {@code live} (by name); every name must be there. */
  void copyInto(Map<String, INDArray> live) {
    for (int i = 0; i < names.length; i++) {
      INDArray target = live.get(names[i]);
      if (target == null) {
        throw new IllegalStateException("the executor's model has no array '" + names[i]
            + "' (was it built from another configuration?)");
      }
      assign(target, values[i]);
    }
  }
}
