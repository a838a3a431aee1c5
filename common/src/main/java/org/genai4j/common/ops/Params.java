package org.genai4j.common.ops;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.genai4j.common.util.ModelMemory;

/**
 * The parameters of one model, by name, in the order the model created them; what a model's
 * constructor receives to create its parameters. A model is written once against this class and
 * built three ways: with fresh values ({@link #init}), with zeros for loading a checkpoint into
 * ({@link #forLoading}), or as a replica that shares another copy's values and owns its gradients
 * ({@link #replica}), so threads can each run the model on part of a batch.
 */
public final class Params {
  private final Map<String, Param> byName = new LinkedHashMap<>();
  private final Map<String, Tensor> buffers = new LinkedHashMap<>();
  private final long seed;
  private final boolean initialize;
  /** The parameters a replica shares values with; null for an original. */
  private final Params original;
  /** The most values (parameters and buffers) a model to be loaded may declare: what its checkpoint holds. */
  private final long maxValues;
  /** Values allocated so far. */
  private long values;

  private Params(long seed, boolean initialize, Params original, long maxValues) {
    this.seed = seed;
    this.initialize = initialize;
    this.original = original;
    this.maxValues = maxValues;
  }

  /** Parameters filled by their {@link Init}s, from a generator seeded with {@code seed} and each name. */
  public static Params init(long seed) {
    return new Params(seed, true, null, Long.MAX_VALUE);
  }

  /** Parameters left at zero, to be overwritten from a checkpoint (initializing a large model takes seconds). */
  public static Params forLoading() {
    return new Params(0, false, null, Long.MAX_VALUE);
  }

  /**
   * As {@link #forLoading()} for a checkpoint that holds {@code checkpointValues} values: a model
   * whose configuration declares far more (a corrupt or foreign config: over twice as many plus a
   * million) is refused before it allocates.
   */
  public static Params forLoading(long checkpointValues) {
    // Room for a checkpoint that lacks some arrays, which the restore then names; not for a model
    // many times the checkpoint's size.
    return new Params(0, false, null, 2 * checkpointValues + (1L << 20));
  }

  /**
   * A new, empty set that, when the same model is built on it again, shares every value of this
   * set (by name; shapes must match) and has gradients of its own.
   */
  public Params replica() {
    if (byName.isEmpty()) {
      throw new IllegalStateException("build the model on these parameters before making a replica of them");
    }
    return new Params(seed, false, original == null ? this : original, Long.MAX_VALUE);
  }

  /** Creates a parameter that takes weight decay when it has two or more dimensions. */
  public Param create(String name, Init init, int... shape) {
    return create(name, init, shape.length >= 2, shape);
  }

  /** Creates a parameter named {@code name}, unique in this set. */
  public Param create(String name, Init init, boolean decay, int... shape) {
    if (byName.containsKey(name)) {
      throw new IllegalArgumentException("parameter '" + name + "' is created twice (to share it, use get)");
    }
    Param p;
    if (original != null) {
      Param shared = original.byName.get(name);
      if (shared == null || !Arrays.equals(shared.shape(), shape)) {
        throw new IllegalStateException("replica parameter '" + name + "' " + Arrays.toString(shape)
            + " does not match the original's " + (shared == null ? "(none)" : Arrays.toString(shared.shape())));
      }
      p = new Param(name, shared.value(), decay);
    } else {
      // Refused here, before ND4J allocates: a model too large for memory would end in std::bad_alloc.
      long earlier = values;
      reserve(name, shape);
      ModelMemory.checkParameter(name, shape, earlier, initialize);
      Tensor value = Tensor.zeros(shape);
      if (initialize) {
        float[] v = new float[value.length()];
        init.fill(v, shape, new SplittableRandom(mix(seed, name.hashCode())));
        value.write(0, v, 0, v.length);
      }
      p = new Param(name, value, decay);
    }
    byName.put(name, p);
    return p;
  }

  /**
   * Creates a buffer: state that is saved with the model but not trained, such as batch norm's
   * running statistics (PyTorch's {@code register_buffer}). Replicas share the original's buffer;
   * by convention only shard 0 writes it.
   */
  public Tensor createBuffer(String name, Init init, int... shape) {
    if (buffers.containsKey(name) || byName.containsKey(name)) {
      throw new IllegalArgumentException("buffer '" + name + "' is created twice");
    }
    Tensor t;
    if (original != null) {
      t = original.buffers.get(name);
      if (t == null || !Arrays.equals(t.shape(), shape)) {
        throw new IllegalStateException("replica buffer '" + name + "' " + Arrays.toString(shape)
            + " does not match the original's " + (t == null ? "(none)" : Arrays.toString(t.shape())));
      }
    } else {
      reserve(name, shape);
      t = Tensor.zeros(shape);
      // Buffers start from their init even when loading: a checkpoint without them keeps the defaults.
      float[] v = new float[t.length()];
      init.fill(v, shape, new SplittableRandom(mix(seed, name.hashCode())));
      t.write(0, v, 0, v.length);
    }
    buffers.put(name, t);
    return t;
  }

  /**
   * Counts the values of a new array before it is allocated; fails with one line when they pass the
   * checkpoint's count (loading). The memory limit is {@link ModelMemory}'s check.
   */
  private void reserve(String name, int[] shape) {
    long n = 1;
    for (int d : shape) {
      n = d < 0 ? -1 : n * d; // int dimensions: at most 2^31 each, checked again by Tensor
      if (n < 0 || n > (1L << 40)) {
        n = Long.MAX_VALUE;
        break;
      }
    }
    values = n == Long.MAX_VALUE ? Long.MAX_VALUE : values + n;
    if (values > maxValues) {
      throw new IllegalArgumentException("the model's configuration declares far more values than its checkpoint"
          + " holds (over " + maxValues + " at '" + name + "' " + Arrays.toString(shape) + "): the config and the"
          + " checkpoint do not belong together");
    }
  }

  /** All buffers by name, in creation order. */
  public Map<String, Tensor> buffers() {
    return Collections.unmodifiableMap(buffers);
  }

  /** The parameter named {@code name}, e.g. to tie a head to an embedding. */
  public Param get(String name) {
    Param p = byName.get(name);
    if (p == null) {
      throw new IllegalArgumentException("no parameter '" + name + "'; there are " + byName.keySet());
    }
    return p;
  }

  /** All parameters in creation order. */
  public List<Param> list() {
    return Collections.unmodifiableList(new ArrayList<>(byName.values()));
  }

  /** All parameters by name, in creation order. */
  public Map<String, Param> byName() {
    return Collections.unmodifiableMap(byName);
  }

  /** The number of trainable scalars. */
  public long count() {
    long n = 0;
    for (Param p : byName.values()) {
      n += p.value().length();
    }
    return n;
  }

  /** SplitMix64-style mixing of two numbers into a seed. */
  static long mix(long a, long b) {
    long z = a * 0x9E3779B97F4A7C15L + b + 0x632BE59BD9B4E019L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
