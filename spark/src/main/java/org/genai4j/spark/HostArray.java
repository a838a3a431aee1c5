package org.genai4j.spark;

import java.io.Serializable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An array as it travels between the driver and the executors: its shape and its values in C order
 * as a plain Java array ({@code float[]} for FLOAT, {@code int[]} for INT, {@code long[]} for LONG,
 * {@code double[]} for DOUBLE), never an ND4J object.
 *
 * @param type the ND4J type name ({@code FLOAT}, {@code INT}, {@code LONG}, {@code DOUBLE})
 * @param shape the array's shape
 * @param values the values, a primitive array of the type
 */
record HostArray(String type, long[] shape, Object values) implements Serializable {

  /** A copy of {@code a}'s values; a one-line error for a type that does not travel. */
  static HostArray of(String what, INDArray a) {
    INDArray c = a.dup('c');
    Object values = switch (a.dataType()) {
      case FLOAT -> c.data().asFloat();
      case INT -> c.data().asInt();
      case LONG -> c.data().asLong();
      case DOUBLE -> c.data().asDouble();
      default -> throw new IllegalArgumentException(what + " has type " + a.dataType()
          + "; arrays sent to Spark executors must be FLOAT, DOUBLE, INT or LONG");
    };
    return new HostArray(a.dataType().name(), a.shape(), values);
  }

  /** A new ND4J array of these values. */
  INDArray toArray() {
    long[] s = shape.length == 0 ? new long[0] : shape;
    return switch (DataType.valueOf(type)) {
      case FLOAT -> Nd4j.create((float[]) values, s, 'c');
      case INT -> Nd4j.createFromArray((int[]) values).reshape('c', s);
      case LONG -> Nd4j.createFromArray((long[]) values).reshape('c', s);
      case DOUBLE -> Nd4j.create((double[]) values, s, 'c');
      default -> throw new IllegalStateException("unexpected type " + type);
    };
  }
}
