package org.genai4j.llm.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The keys and values every layer computed for the tokens seen so far (one sequence), so a new
 * token only attends to them instead of recomputing the whole window. Per layer: {@code [heads,
 * blockSize, headSize]} for keys and for values; {@link #length()} positions are filled.
 */
public final class KvCache {

  final INDArray[] keys;
  final INDArray[] values;
  private final int capacity;
  private int length;

  public KvCache(GptConfig c) {
    keys = new INDArray[c.nLayer()];
    values = new INDArray[c.nLayer()];
    for (int l = 0; l < c.nLayer(); l++) {
      keys[l] = Nd4j.zeros(DataType.FLOAT, c.nHead(), c.blockSize(), c.headSize());
      values[l] = Nd4j.zeros(DataType.FLOAT, c.nHead(), c.blockSize(), c.headSize());
    }
    capacity = c.blockSize();
  }

  /** Positions filled. */
  public int length() {
    return length;
  }

  /** Positions the cache can hold (the block size). */
  public int capacity() {
    return capacity;
  }

  /** Forgets every position. */
  public void clear() {
    length = 0;
  }

  void advance(int n) {
    length += n;
  }
}
