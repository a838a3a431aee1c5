package org.genai4j.common.nn;

import org.nd4j.autodiff.loss.LossReduce;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * SameDiff building blocks for the tests' SameDiff graphs (oracles, and the user-graph path of
 * {@code SameDiffGroup}). Each block creates its parameters as
 * SameDiff variables named {@code <name>/w}, {@code <name>/b}, ... so a model can list them by
 * prefix. Parameters take the data type of the block's input (FLOAT normally, DOUBLE in gradient
 * checks). Blocks work around the ops of DL4J 1.0.0-M2.1 whose gradients are wrong ({@code gather}'s
 * backprop, sparse softmax cross-entropy's mean): embeddings are a one-hot matmul, cross-entropy
 * takes one-hot labels.
 */
public final class Layers {
  private Layers() {}

  /**
   * {@code x @ W + b} for {@code x} of shape {@code [N, in]}; {@code W} is {@code [in, out]}
   * drawn from N(0, std^2), {@code b} zeros; a second call with the same name shares them.
   */
  public static SDVariable linear(SameDiff sd, String name, SDVariable x, long in, long out, boolean bias, double std) {
    DataType type = floatingType(x);
    SDVariable y = x.mmul(variable(sd, name + "/w", () -> Init.normal(type, std, in, out)));
    if (bias) {
      y = y.add(variable(sd, name + "/b", () -> Init.zeros(type, out)));
    }
    return y;
  }

  /**
   * The trainable variable {@code name}: the graph's existing one, so that calling a block again
   * with the same name shares its weights (e.g. a GAN's discriminator applied to real and generated
   * images), or a new one initialized by {@code init}.
   */
  static SDVariable variable(SameDiff sd, String name, java.util.function.Supplier<INDArray> init) {
    SDVariable v = sd.getVariable(name);
    if (v != null) {
      if (v.getVariableType() != org.nd4j.autodiff.samediff.VariableType.VARIABLE) {
        throw new IllegalArgumentException("'" + name + "' already exists in the graph and is not a variable");
      }
      return v;
    }
    return sd.var(name, init.get());
  }


  /** Layer normalization over the last axis of a {@code [N, dim]} input, with gain (ones) and bias (zeros). */
  public static SDVariable layerNorm(SameDiff sd, String name, SDVariable x2d, long dim) {
    DataType type = floatingType(x2d);
    SDVariable gain = sd.var(name + "/g", Init.ones(type, dim));
    SDVariable bias = sd.var(name + "/b", Init.zeros(type, dim));
    return sd.nn.layerNorm(x2d, gain, bias, false, 1);
  }

  /**
   * Looks up rows of {@code table} ({@code [vocab, dim]}) for integer {@code indices} of any shape,
   * as a one-hot matmul: the result is {@code [indices.length, dim]}. SameDiff's gather has a
   * wrong and slow gradient in M2.1.
   */
  public static SDVariable embeddingLookup(SameDiff sd, SDVariable indices, SDVariable table, long vocab) {
    SDVariable oneHot = sd.oneHot(indices, (int) vocab).castTo(floatingType(table)).reshape(-1, vocab);
    return oneHot.mmul(table);
  }

  /**
   * The mean softmax cross-entropy of {@code logits} ({@code [N, classes]}) against integer
   * {@code labels} (any shape with N elements). Uses one-hot labels because SameDiff's sparse
   * variant has an N-times-too-large gradient in M2.1.
   */
  public static SDVariable crossEntropy(SameDiff sd, String name, SDVariable logits, SDVariable labels, long classes) {
    SDVariable oneHot = sd.oneHot(labels, (int) classes).castTo(floatingType(logits)).reshape(-1, classes);
    return sd.loss.softmaxCrossEntropy(name, oneHot, logits, null, LossReduce.MEAN_BY_NONZERO_WEIGHT_COUNT, 0.0);
  }

  /** The variable's floating-point type; FLOAT when it is not floating point or not yet known. */
  static DataType floatingType(SDVariable v) {
    DataType t = v.dataType();
    return t != null && t.isFPType() ? t : DataType.FLOAT;
  }
}
