package org.genai4j.spark;

import java.io.Serializable;
import org.genai4j.common.train.Trainable;

/**
 * Builds a model from its configuration JSON ({@link Trainable#configJson()}) on an executor, with
 * parameters to be overwritten by the driver's (so no initialization is needed). It travels inside
 * Spark's tasks, so it must be serializable: a lambda or a static method reference of a class that
 * executors can load.
 */
@FunctionalInterface
public interface TrainableFactory extends Serializable {
  Trainable build(String configJson);
}
