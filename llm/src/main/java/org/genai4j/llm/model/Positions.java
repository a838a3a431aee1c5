package org.genai4j.llm.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Fixed tables shared by the training graph and the inference code. */
public final class Positions {
  private Positions() {}

  /** The additive attention mask value for a future position. */
  public static final float MASKED = -1e9f;

  /**
   * Sinusoidal encodings {@code [time, width]}: {@code sin(p / 10000^(2i/width))} in even
   * columns, {@code cos} of the same in odd ones.
   */
  public static INDArray sinusoids(int time, int width) {
    float[] t = new float[time * width];
    for (int p = 0; p < time; p++) {
      for (int i = 0; i < width; i += 2) {
        double angle = p / Math.pow(10000, (double) i / width);
        t[p * width + i] = (float) Math.sin(angle);
        t[p * width + i + 1] = (float) Math.cos(angle);
      }
    }
    return Nd4j.create(t, new long[] {time, width}, DataType.FLOAT);
  }

  /**
   * The causal mask for {@code queries} new positions after {@code past} cached ones: {@code
   * [queries, past + queries]}, 0 where key j <= past + i, {@link #MASKED} after.
   */
  public static INDArray causalMask(int past, int queries) {
    int keys = past + queries;
    float[] m = new float[queries * keys];
    for (int i = 0; i < queries; i++) {
      for (int j = past + i + 1; j < keys; j++) {
        m[i * keys + j] = MASKED;
      }
    }
    return Nd4j.create(m, new long[] {queries, keys}, DataType.FLOAT);
  }
}
