package org.genai4j.common.ops;

import java.util.Arrays;
import java.util.List;

/**
 * A lookup table {@code [vocab, width]}, PyTorch's {@code nn.Embedding}: the output row for id
 * {@code i} is row {@code i} of {@code <name>.weight}. Token embeddings look up token ids;
 * learned position embeddings look up positions ({@link #forwardPositions}). The backward pass
 * scatter-adds the output gradient's rows into the table's gradient (a token seen twice gets both
 * rows; a table tied to an output head gets the head's gradient too). Rows are copied in bulk
 * through one Java row array; there is no matrix product to make.
 *
 * <p>Not a {@link Layer}: its input is ints. It keeps a copy of the ids for the backward pass.
 */
public final class Embedding {
  private final Param weight;
  private final int vocab;
  private final int width;
  private final float[] row;
  private final float[] acc;
  private int[] ids = new int[0];
  private int count;
  private Tensor y;

  /** A table with PyTorch's default initialization, standard normal (GPT-2 uses {@code Init.normal(0.02)}). */
  public Embedding(Params params, String name, int vocab, int width) {
    this(params, name, vocab, width, Init.normal(1.0));
  }

  /** A table {@code name.weight} of {@code [vocab, width]} filled by {@code init}. */
  public Embedding(Params params, String name, int vocab, int width, Init init) {
    this(params.create(name + ".weight", init, vocab, width));
  }

  /** A lookup over an existing {@code [vocab, width]} table. */
  public Embedding(Param weight) {
    int[] s = weight.shape();
    if (s.length != 2) {
      throw new IllegalArgumentException("embedding table '" + weight.name() + "' must be [vocab, width], got " + weight);
    }
    this.weight = weight;
    this.vocab = s[0];
    this.width = s[1];
    this.row = new float[width];
    this.acc = new float[width];
  }

  public Param weight() {
    return weight;
  }

  public int vocab() {
    return vocab;
  }

  public int width() {
    return width;
  }

  /** The rows of {@code ids}, {@code [ids.length, width]}. */
  public Tensor forward(StepContext ctx, int[] ids) {
    return forward(ctx, ids, 0, ids.length);
  }

  /**
   * The rows of {@code ids[from, from + n)}, where {@code n} is the product of {@code shape}
   * (such as {@code batch, time}), as a tensor of {@code [...shape, width]}; e.g. a shard's
   * sequences out of the whole batch's ids.
   */
  public Tensor forward(StepContext ctx, int[] ids, int from, int... shape) {
    int n = 1;
    for (int s : shape) {
      n *= s;
    }
    if (from < 0 || from + n > ids.length) {
      throw new IllegalArgumentException("embedding '" + weight.name() + "': ids [" + from + ", " + (from + n)
          + ") for shape " + Arrays.toString(shape) + " lie outside " + ids.length + " ids");
    }
    for (int i = 0; i < n; i++) {
      int id = ids[from + i];
      if (id < 0 || id >= vocab) {
        throw new IllegalArgumentException("embedding '" + weight.name() + "': id " + id + " (at " + (from + i)
            + ") is outside the table's rows 0.." + (vocab - 1));
      }
    }
    if (this.ids.length < n) {
      this.ids = new int[n];
    }
    System.arraycopy(ids, from, this.ids, 0, n);
    return lookup(shape, n);
  }

  /**
   * Positions {@code start, ..., start + time - 1} for each of {@code batch} sequences, {@code
   * [batch, time, width]}: a learned position embedding whose table has a row per position.
   */
  public Tensor forwardPositions(StepContext ctx, int batch, int time, int start) {
    if (start < 0 || start + time > vocab) {
      throw new IllegalArgumentException("embedding '" + weight.name() + "': positions [" + start + ", "
          + (start + time) + ") exceed the table's " + vocab + " positions");
    }
    int n = batch * time;
    if (ids.length < n) {
      ids = new int[n];
    }
    for (int b = 0; b < batch; b++) {
      for (int t = 0; t < time; t++) {
        ids[b * time + t] = start + t;
      }
    }
    return lookup(new int[] {batch, time}, n);
  }

  private Tensor lookup(int[] shape, int n) {
    count = n;
    int[] s = Arrays.copyOf(shape, shape.length + 1);
    s[shape.length] = width;
    y = Tensor.ensure(y, s);
    Tensor table = weight.value();
    for (int i = 0; i < n; i++) {
      table.read(ids[i] * width, row, 0, width);
      y.write(i * width, row, 0, width);
    }
    return y;
  }

  /** Adds the rows of {@code dy} (the output's gradient) into the table's gradient at their ids. */
  public void backward(StepContext ctx, Tensor dy) {
    if (dy.length() != count * width) {
      throw new IllegalArgumentException("embedding '" + weight.name() + "': output gradient " + dy + " does not fit "
          + count + " rows of " + width);
    }
    if (!weight.requiresGrad()) {
      return;
    }
    Tensor g = weight.grad();
    float[] r = row;
    float[] a = acc;
    for (int i = 0; i < count; i++) {
      int o = ids[i] * width;
      dy.read(i * width, r, 0, width);
      g.read(o, a, 0, width);
      for (int c = 0; c < width; c++) {
        a[c] += r[c];
      }
      g.write(o, a, 0, width);
    }
  }

  public List<Param> params() {
    return List.of(weight);
  }
}
