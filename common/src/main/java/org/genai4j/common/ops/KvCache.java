package org.genai4j.common.ops;

/**
 * The keys and values that every attention layer of a model computed for the positions decoded
 * so far, so that a new token attends to them instead of recomputing the window: per layer a keys
 * and a values tensor {@code [batch, capacity, width]} (width: the attention's {@link
 * CausalSelfAttention#kvWidth()}), allocated once. {@link #length()} positions are filled; a
 * model's forward pass over new tokens has each layer append at position {@code length()} ({@link
 * CausalSelfAttention#forward(StepContext, Tensor, KvCache, int, int)}) and then calls {@link
 * #advance}. Inference only.
 */
public final class KvCache {
  private final Tensor[] keys;
  private final Tensor[] values;
  private final int batch;
  private final int capacity;
  private final int width;
  private int length;

  /** A cache for {@code layers} layers, {@code batch} sequences of up to {@code capacity} positions, keys and values of {@code width}. */
  public KvCache(int layers, int batch, int capacity, int width) {
    if (layers < 1 || batch < 1 || capacity < 1 || width < 1) {
      throw new IllegalArgumentException("KV cache: layers, batch, capacity and width must be positive, got " + layers
          + ", " + batch + ", " + capacity + ", " + width);
    }
    this.batch = batch;
    this.capacity = capacity;
    this.width = width;
    keys = new Tensor[layers];
    values = new Tensor[layers];
    for (int l = 0; l < layers; l++) {
      keys[l] = Tensor.zeros(batch, capacity, width);
      values[l] = Tensor.zeros(batch, capacity, width);
    }
  }

  public int layers() {
    return keys.length;
  }

  public int batch() {
    return batch;
  }

  /** Positions the cache can hold (the block size). */
  public int capacity() {
    return capacity;
  }

  public int width() {
    return width;
  }

  /** Positions filled. */
  public int length() {
    return length;
  }

  /** Marks {@code n} more positions as filled (after every layer appended them). */
  public void advance(int n) {
    if (n < 0 || length + n > capacity) {
      throw new IllegalArgumentException("KV cache: " + length + " + " + n + " positions exceed its capacity "
          + capacity);
    }
    length += n;
  }

  /** Goes back to position {@code n <= length()} (the next tokens overwrite what follows). */
  public void truncate(int n) {
    if (n < 0 || n > length) {
      throw new IllegalArgumentException("KV cache: cannot truncate " + length + " positions to " + n);
    }
    length = n;
  }

  /** Forgets every position. */
  public void clear() {
    length = 0;
  }

  /** Layer {@code layer}'s keys, {@code [batch, capacity, width]}. */
  public Tensor keys(int layer) {
    return keys[checkLayer(layer)];
  }

  /** Layer {@code layer}'s values, {@code [batch, capacity, width]}. */
  public Tensor values(int layer) {
    return values[checkLayer(layer)];
  }

  private int checkLayer(int layer) {
    if (layer < 0 || layer >= keys.length) {
      throw new IllegalArgumentException("KV cache: layer " + layer + " outside 0.." + (keys.length - 1));
    }
    return layer;
  }
}
