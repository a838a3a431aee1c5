package org.genai4j.common.train;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.genai4j.common.nn.Layers;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A 2-layer MLP classifier on a fixed tiny dataset, the test model for the harness. */
final class TinyMlp implements Trainable {
  static final int IN = 4;
  static final int HIDDEN = 16;
  static final int CLASSES = 3;

  final SameDiffGroup group;

  /** Builds the model with weights drawn from {@code seed}, in {@code type}. */
  TinyMlp(long seed, DataType type) {
    Nd4j.getRandom().setSeed(seed);
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder("x", type, -1, IN);
    SDVariable y = sd.placeHolder("y", DataType.INT, -1);
    SDVariable h = sd.math.tanh(Layers.linear(sd, "l1", x, IN, HIDDEN, true, 0.5));
    SDVariable logits = Layers.linear(sd, "l2", h, HIDDEN, CLASSES, true, 0.5);
    Layers.crossEntropy(sd, "loss", logits, y, CLASSES);
    group = new SameDiffGroup("mlp", sd, "loss", List.of("l1/w", "l1/b", "l2/w", "l2/b"),
        b -> Map.of("x", b.get("x").castTo(type), "y", b.get("y")), Map.of());
  }

  TinyMlp(long seed) {
    this(seed, DataType.FLOAT);
  }

  @Override
  public List<ParameterGroup> parameterGroups() {
    return List.of(group);
  }

  @Override
  public String configJson() {
    return "{\"model\":\"tiny-mlp\",\"hidden\":" + HIDDEN + "}";
  }

  /** A fixed dataset of {@code n} random points with random labels (to be memorized). */
  static Batch dataset(int n, long seed) {
    Random r = new Random(seed);
    double[][] x = new double[n][IN];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < IN; j++) {
        x[i][j] = r.nextGaussian();
      }
      y[i] = r.nextInt(CLASSES);
    }
    return Batch.of(Map.of("x", Nd4j.createFromArray(x).castTo(DataType.FLOAT), "y", Nd4j.createFromArray(y)), n);
  }

  /** Random mini-batches of {@code size} rows of {@code data}, drawn from the trainer's rng. */
  static BatchSource minibatches(Batch data, int size) {
    return rng -> rows(data, rng.ints(size, 0, data.examples()).toArray());
  }

  static Batch rows(Batch data, int[] idx) {
    INDArray x = data.get("x");
    INDArray y = data.get("y");
    INDArray bx = Nd4j.create(x.dataType(), idx.length, IN);
    INDArray by = Nd4j.create(DataType.INT, idx.length);
    for (int i = 0; i < idx.length; i++) {
      bx.putRow(i, x.getRow(idx[i]));
      by.putScalar(i, y.getInt(idx[i]));
    }
    return Batch.of(Map.of("x", bx, "y", by), idx.length);
  }
}
