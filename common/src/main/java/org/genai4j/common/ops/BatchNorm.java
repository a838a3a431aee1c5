package org.genai4j.common.ops;

import java.util.List;

/**
 * Batch normalization over the channels (dimension 1) of {@code [N, C, H, W]} images or {@code
 * [N, C]} features (any {@code [N, C, ...]}), PyTorch's {@code BatchNorm2d} / {@code BatchNorm1d},
 * optionally fused with a ReLU or leaky ReLU: {@code y = act(weight (x - mean) / sqrt(var + eps) +
 * bias)}. Parameters {@code name.weight} (ones) and {@code name.bias} (zeros), {@code [C]};
 * buffers {@code name.running_mean} (zeros) and {@code name.running_var} (ones).
 *
 * <p>Training ({@code ctx.training()}): mean and biased variance of the batch per channel, and the
 * gradient flows through them. The batch is the whole batch across shards: each shard adds its
 * per-channel sums and calls {@code ctx.allReduceSum} once in the forward pass (sums and sums of
 * squares, in double) and once in the backward pass (sums of the gradient and of the gradient
 * times the normalized input), so any shard count computes whole-batch batch norm. Shard 0 then
 * updates the running statistics as PyTorch does: {@code running = (1 - momentum) running +
 * momentum batch}, the variance unbiased ({@code count / (count - 1)}), momentum 0.1, eps 1e-5.
 * Inference: the running statistics, nothing exchanged.
 *
 * <p>Segments ({@link #segments(int)}): the input may be {@code k} stacked blocks of equal rows that
 * get their own batch statistics, e.g. a GAN's discriminator run once on {@code [real; fake]}
 * (each shard stacks its own rows; block j of every shard belongs to segment j). The running
 * statistics take each segment's statistics in turn, as if the blocks were separate batches run
 * one after another (PyTorch's D(real) then D(fake)), or one segment's ({@link
 * #runningStatisticsFrom}), or none ({@link #setRunningStatisticsUpdate}).
 *
 * <p>Why fused and written this way: batch norm plus its activation are three memory passes
 * forward and four backward when done by separate ops; here they are two each (sums, then
 * normalize; gradient sums, then apply), over Java copies of the tensors, plane by plane in memory
 * order, with loops that the JIT vectorizes: every array indexed at the same position (a scratch
 * plane indexed from 0 made the backward pass 3x slower), the activation's derivative by min/max
 * arithmetic instead of a branch (which on such data mispredicts half the time). For the backward
 * pass the op keeps Java copies of its input and output: the normalized input is recomputed from
 * the first, the activation's derivative read off the second's sign. Measured against the
 * hand-written DCGAN step's {@code FusedBatchNorm} at its shapes: 0.9-1.05x (alternating runs on a shared machine).
 */
public final class BatchNorm implements Layer {
  private final String name;
  private final Param weight;
  private final Param bias;
  private final Tensor runningMean;
  private final Tensor runningVar;
  private final int channels;
  private double eps = 1e-5;
  private double momentum = 0.1;
  /** The activation: {@code max(o, slope o)}; 1 is none, 0 ReLU. */
  private float slope = 1f;
  private int segments = 1;
  private int runningFrom = -1;
  private boolean updateRunning = true;
  private boolean inputGradient = true;

  // What the forward pass leaves for the backward pass.
  private boolean trained;
  private int rows;
  private int spatial;
  /** Segments of the last forward pass (1 in inference). */
  private int groups;
  /** Elements per channel and segment in the whole batch. */
  private double count;
  private float[] x = new float[0];
  private float[] g = new float[0];
  private float[] out = new float[0];
  private float[] gamma;
  private float[] beta;
  /** Per segment and channel ({@code [groups * C]}): mean, 1/sqrt(var + eps), scale and shift of the affine map. */
  private float[] mean = new float[0];
  private float[] invStd = new float[0];
  private float[] scale = new float[0];
  private float[] shift = new float[0];
  private double[] batchMean = new double[0];
  private double[] batchVar = new double[0];
  private Tensor y;
  private Tensor dx;

  /** Weight ones, bias zeros (PyTorch's default). */
  public BatchNorm(Params params, String name, int channels) {
    this(params, name, channels, Init.ones(), Init.zeros());
  }

  /** Weight and bias from the given inits (DCGAN: weight N(1, 0.02), {@code Init.normal(1, 0.02)}). */
  public BatchNorm(Params params, String name, int channels, Init weightInit, Init biasInit) {
    if (channels < 1) {
      throw new IllegalArgumentException("batch norm '" + name + "' needs channels >= 1, got " + channels);
    }
    this.name = name;
    this.channels = channels;
    this.weight = params.create(name + ".weight", weightInit, false, channels);
    this.bias = params.create(name + ".bias", biasInit, false, channels);
    this.runningMean = params.createBuffer(name + ".running_mean", Init.zeros(), channels);
    this.runningVar = params.createBuffer(name + ".running_var", Init.ones(), channels);
    this.gamma = new float[channels];
    this.beta = new float[channels];
  }

  /** Fuses a ReLU after the normalization. */
  public BatchNorm withRelu() {
    slope = 0f;
    return this;
  }

  /** Fuses {@code max(v, slope v)} after the normalization, slope in [0, 1] (DCGAN's D: 0.2). */
  public BatchNorm withLeakyRelu(double s) {
    if (!(s >= 0 && s <= 1)) {
      throw new IllegalArgumentException("batch norm '" + name + "': leaky ReLU slope must be in [0, 1], got " + s);
    }
    slope = (float) s;
    return this;
  }

  /** Epsilon added to the variance (default 1e-5). */
  public BatchNorm withEps(double e) {
    if (!(e > 0)) {
      throw new IllegalArgumentException("batch norm '" + name + "': eps must be > 0, got " + e);
    }
    eps = e;
    return this;
  }

  /** Weight of the batch statistics in the running averages (default 0.1). */
  public BatchNorm withMomentum(double m) {
    if (!(m >= 0 && m <= 1)) {
      throw new IllegalArgumentException("batch norm '" + name + "': momentum must be in [0, 1], got " + m);
    }
    momentum = m;
    return this;
  }

  /** Skips the input's gradient: backward returns null (and exchanges nothing). */
  public BatchNorm withoutInputGradient() {
    inputGradient = false;
    return this;
  }

  /**
   * Whether backward computes the input's gradient, switchable between passes: a GAN's
   * discriminator needs its images' gradient in the generator's step only (every shard must
   * switch alike).
   */
  public void setInputGradient(boolean on) {
    inputGradient = on;
  }

  /**
   * From the next forward pass on, the input is {@code k} stacked blocks of equal rows, each with
   * its own batch statistics (every shard must use the same {@code k}).
   */
  public BatchNorm segments(int k) {
    if (k < 1) {
      throw new IllegalArgumentException("batch norm '" + name + "': segments must be >= 1, got " + k);
    }
    segments = k;
    return this;
  }

  /** Only segment {@code s}'s statistics update the running averages (-1: every segment in turn, the default). */
  public BatchNorm runningStatisticsFrom(int s) {
    if (s < -1) {
      throw new IllegalArgumentException("batch norm '" + name + "': segment must be >= -1, got " + s);
    }
    runningFrom = s;
    return this;
  }

  /**
   * Whether training passes update the running statistics (default yes), switchable between
   * passes: a GAN's discriminator on generated images in the generator's step normalizes with
   * their batch statistics but leaves its running averages as the discriminator's step set them
   * (every shard must switch alike).
   */
  public void setRunningStatisticsUpdate(boolean on) {
    updateRunning = on;
  }

  public Param weight() {
    return weight;
  }

  public Param bias() {
    return bias;
  }

  public Tensor runningMean() {
    return runningMean;
  }

  public Tensor runningVar() {
    return runningVar;
  }

  /** The last training pass's batch mean of segment {@code s}, per channel (for metrics and tests). */
  public double[] batchMean(int s) {
    return java.util.Arrays.copyOfRange(batchMean, s * channels, (s + 1) * channels);
  }

  /** The last training pass's biased batch variance of segment {@code s}, per channel. */
  public double[] batchVar(int s) {
    return java.util.Arrays.copyOfRange(batchVar, s * channels, (s + 1) * channels);
  }

  @Override
  public Tensor forward(StepContext ctx, Tensor input) {
    if (input.rank() < 2 || input.dim(1) != channels) {
      throw new IllegalArgumentException("batch norm '" + name + "' takes [N, " + channels + ", ...], got " + input);
    }
    int n = input.dim(0);
    trained = ctx.training();
    groups = trained ? segments : 1;
    if (n % groups != 0) {
      throw new IllegalArgumentException("batch norm '" + name + "': " + n + " rows do not split into " + groups
          + " segments of equal rows (" + input + ")");
    }
    rows = n;
    spatial = 1;
    for (int d = 2; d < input.rank(); d++) {
      spatial *= input.dim(d);
    }
    int len = input.length();
    x = grow(x, len);
    input.read(0, x, 0, len);
    weight.value().read(0, gamma, 0, channels);
    bias.value().read(0, beta, 0, channels);
    int gc = groups * channels;
    if (mean.length != gc) {
      mean = new float[gc];
      invStd = new float[gc];
      scale = new float[gc];
      shift = new float[gc];
    }
    if (trained) {
      batchStatistics(ctx);
    } else {
      float[] rm = runningMean.toArray();
      float[] rv = runningVar.toArray();
      for (int c = 0; c < channels; c++) {
        mean[c] = rm[c];
        invStd[c] = (float) (1 / Math.sqrt(rv[c] + eps));
      }
    }
    for (int k = 0; k < gc; k++) {
      float a = gamma[k % channels] * invStd[k];
      scale[k] = a;
      shift[k] = beta[k % channels] - mean[k] * a;
    }
    y = Tensor.ensure(y, input.shape());
    normalize();
    return y;
  }

  /** Per-channel sums of every segment, exchanged across shards; the statistics; shard 0 updates the running ones. */
  private void batchStatistics(StepContext ctx) {
    int perSegment = rows / groups;
    double[] sums = new double[2 * groups * channels + 1];
    for (int s = 0; s < groups; s++) {
      addSums(s * perSegment, (s + 1) * perSegment, sums, 2 * s * channels);
    }
    sums[sums.length - 1] = perSegment;
    ctx.allReduceSum(sums);
    count = sums[sums.length - 1] * spatial;
    if (count < 1) {
      throw new IllegalArgumentException("batch norm '" + name + "' in training needs at least one value per channel"
          + " in the batch, got " + count);
    }
    batchMean = new double[groups * channels];
    batchVar = new double[groups * channels];
    for (int s = 0; s < groups; s++) {
      for (int c = 0; c < channels; c++) {
        double m = sums[2 * s * channels + c] / count;
        double v = Math.max(0, sums[(2 * s + 1) * channels + c] / count - m * m);
        batchMean[s * channels + c] = m;
        batchVar[s * channels + c] = v;
        mean[s * channels + c] = (float) m;
        invStd[s * channels + c] = (float) (1 / Math.sqrt(v + eps));
      }
    }
    if (ctx.shard() == 0 && updateRunning) {
      float[] rm = runningMean.toArray();
      float[] rv = runningVar.toArray();
      double unbiased = count > 1 ? count / (count - 1) : 1;
      for (int s = 0; s < groups; s++) {
        if (runningFrom >= 0 && s != runningFrom) {
          continue;
        }
        for (int c = 0; c < channels; c++) {
          rm[c] = (float) ((1 - momentum) * rm[c] + momentum * batchMean[s * channels + c]);
          rv[c] = (float) ((1 - momentum) * rv[c] + momentum * batchVar[s * channels + c] * unbiased);
        }
      }
      runningMean.write(0, rm, 0, channels);
      runningVar.write(0, rv, 0, channels);
    }
  }

  /** Adds the sums and sums of squares of rows [from, to) to {@code sums[at..at+C)} and {@code sums[at+C..at+2C)}. */
  private void addSums(int from, int to, double[] sums, int at) {
    float[] v = x;
    int sp = spatial;
    if (sp == 1) {
      double[] s = new double[channels];
      double[] q = new double[channels];
      for (int r = from; r < to; r++) {
        int base = r * channels;
        for (int c = 0; c < channels; c++) {
          double a = v[base + c];
          s[c] += a;
          q[c] += a * a;
        }
      }
      for (int c = 0; c < channels; c++) {
        sums[at + c] += s[c];
        sums[at + channels + c] += q[c];
      }
      return;
    }
    // Image by image, so memory is read in order; four independent chains per plane.
    for (int r = from; r < to; r++) {
      for (int c = 0; c < channels; c++) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, q0 = 0, q1 = 0, q2 = 0, q3 = 0;
        int p = (r * channels + c) * sp;
        int end = p + sp;
        for (; p + 3 < end; p += 4) {
          double a = v[p], b = v[p + 1], cc = v[p + 2], d = v[p + 3];
          s0 += a;
          s1 += b;
          s2 += cc;
          s3 += d;
          q0 += a * a;
          q1 += b * b;
          q2 += cc * cc;
          q3 += d * d;
        }
        for (; p < end; p++) {
          double a = v[p];
          s0 += a;
          q0 += a * a;
        }
        sums[at + c] += s0 + s1 + s2 + s3;
        sums[at + channels + c] += q0 + q1 + q2 + q3;
      }
    }
  }

  /** {@code y = act(x scale + shift)} into the output mirror, then one copy into the output tensor. */
  private void normalize() {
    int len = rows * channels * spatial;
    out = grow(out, len);
    int perSegment = rows / groups;
    float sl = slope;
    float[] v = x;
    float[] o = out;
    for (int r = 0; r < rows; r++) {
      int k0 = (r / perSegment) * channels;
      if (spatial == 1) {
        int base = r * channels;
        for (int c = 0; c < channels; c++) {
          float a = v[base + c] * scale[k0 + c] + shift[k0 + c];
          o[base + c] = Math.max(a, sl * a);
        }
        continue;
      }
      for (int c = 0; c < channels; c++) {
        float sc = scale[k0 + c];
        float sh = shift[k0 + c];
        int end = (r * channels + c + 1) * spatial;
        // Every array at the same index: the loop the JIT vectorizes best.
        for (int p = end - spatial; p < end; p++) {
          float a = v[p] * sc + sh;
          o[p] = Math.max(a, sl * a);
        }
      }
    }
    y.write(0, o, 0, len);
  }

  @Override
  public Tensor backward(StepContext ctx, Tensor dy) {
    if (y == null) {
      throw new IllegalStateException("batch norm '" + name + "': backward before forward");
    }
    if (!dy.sameShape(y)) {
      throw new IllegalArgumentException("batch norm '" + name + "': output gradient must be " + y + ", got " + dy);
    }
    int len = dy.length();
    g = grow(g, len);
    dy.read(0, g, 0, len);
    // Per segment and channel: sum of g and of g * xhat, where g is the activation's input gradient.
    double[] sums = new double[2 * groups * channels];
    int perSegment = rows / groups;
    for (int s = 0; s < groups; s++) {
      activationGradientSums(s * perSegment, (s + 1) * perSegment, s, sums);
    }
    if (weight.requiresGrad() || bias.requiresGrad()) {
      float[] dw = new float[channels];
      float[] db = new float[channels];
      for (int s = 0; s < groups; s++) {
        for (int c = 0; c < channels; c++) {
          db[c] += (float) sums[2 * s * channels + c];
          dw[c] += (float) sums[(2 * s + 1) * channels + c];
        }
      }
      // This shard's part: the harness adds the shards' gradients.
      if (weight.requiresGrad()) {
        addTo(weight.grad(), dw);
      }
      if (bias.requiresGrad()) {
        addTo(bias.grad(), db);
      }
    }
    if (!inputGradient) {
      return null;
    }
    int gc = groups * channels;
    float[] a = new float[gc];
    float[] b = new float[gc];
    float[] c0 = new float[gc];
    if (trained) {
      ctx.allReduceSum(sums);
      // dx = k (g - mean(g) - xhat mean(g xhat)), k = gamma invStd, xhat = (x - mean) invStd:
      // per channel, dx = a g + b (x - mean) + c.
      for (int s = 0; s < groups; s++) {
        for (int c = 0; c < channels; c++) {
          int k = s * channels + c;
          double kk = (double) gamma[c] * invStd[k];
          double md = sums[2 * s * channels + c] / count;
          double mx = sums[(2 * s + 1) * channels + c] / count;
          a[k] = (float) kk;
          b[k] = (float) (-kk * mx * invStd[k]);
          c0[k] = (float) (-kk * md);
        }
      }
    } else {
      for (int k = 0; k < gc; k++) {
        a[k] = scale[k];
      }
    }
    dx = Tensor.ensure(dx, y.shape());
    applyGradient(a, b, c0);
    return dx;
  }

  /**
   * Over rows [from, to) of segment {@code s}: {@code g *= act'(x scale + shift)} in place, and adds
   * per channel the sums of g and of {@code g xhat} to {@code sums} (segment s's two blocks of C).
   */
  private void activationGradientSums(int from, int to, int s, double[] sums) {
    float sl = slope;
    float rest = 1 - sl;
    float[] v = x;
    float[] d = g;
    int k0 = s * channels;
    int at0 = 2 * s * channels;
    if (spatial == 1) {
      double[] sg = new double[channels];
      double[] sx = new double[channels];
      for (int r = from; r < to; r++) {
        int base = r * channels;
        for (int c = 0; c < channels; c++) {
          float xv = v[base + c];
          float gv = d[base + c] * (sl + rest * step(out[base + c]));
          d[base + c] = gv;
          sg[c] += gv;
          sx[c] += gv * ((xv - mean[k0 + c]) * invStd[k0 + c]);
        }
      }
      for (int c = 0; c < channels; c++) {
        sums[at0 + c] += sg[c];
        sums[at0 + channels + c] += sx[c];
      }
      return;
    }
    int sp = spatial;
    float[] o = out;
    for (int r = from; r < to; r++) {
      for (int c = 0; c < channels; c++) {
        int base = (r * channels + c) * sp;
        int end = base + sp;
        float m = mean[k0 + c];
        // The activation's derivative, from the sign of the forward pass's output, in a loop of
        // its own that the JIT vectorizes ...
        for (int p = base; p < end; p++) {
          d[p] = d[p] * (sl + rest * step(o[p]));
        }
        // ... then the sums of g and g (x - mean) in eight float chains (a plane is short: float
        // is exact enough); xhat = (x - mean) invStd, so the second sum times invStd is sum g xhat.
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0, t0 = 0, t1 = 0, t2 = 0, t3 = 0;
        int p = base;
        for (; p + 3 < end; p += 4) {
          float a = d[p], b = d[p + 1], cc = d[p + 2], e = d[p + 3];
          s0 += a;
          s1 += b;
          s2 += cc;
          s3 += e;
          t0 += a * (v[p] - m);
          t1 += b * (v[p + 1] - m);
          t2 += cc * (v[p + 2] - m);
          t3 += e * (v[p + 3] - m);
        }
        for (; p < end; p++) {
          s0 += d[p];
          t0 += d[p] * (v[p] - m);
        }
        sums[at0 + c] += (double) s0 + s1 + s2 + s3;
        sums[at0 + channels + c] += ((double) t0 + t1 + t2 + t3) * invStd[k0 + c];
      }
    }
  }

  /** {@code g = a g + b (x - mean) + c} per segment and channel, in place, then one copy into {@code dx}. */
  private void applyGradient(float[] a, float[] b, float[] c0) {
    int perSegment = rows / groups;
    float[] v = x;
    float[] d = g;
    for (int r = 0; r < rows; r++) {
      int k0 = (r / perSegment) * channels;
      if (spatial == 1) {
        int base = r * channels;
        for (int c = 0; c < channels; c++) {
          d[base + c] = a[k0 + c] * d[base + c] + b[k0 + c] * (v[base + c] - mean[k0 + c]) + c0[k0 + c];
        }
        continue;
      }
      for (int c = 0; c < channels; c++) {
        float ac = a[k0 + c];
        float bc = b[k0 + c];
        float cc = c0[k0 + c];
        float m = mean[k0 + c];
        int end = (r * channels + c + 1) * spatial;
        for (int p = end - spatial; p < end; p++) {
          d[p] = ac * d[p] + bc * (v[p] - m) + cc;
        }
      }
    }
    dx.write(0, d, 0, rows * channels * spatial);
  }

  /**
   * 1 when {@code v > 0}, else 0, with min/max only (which the JIT vectorizes): {@code v * MAX_VALUE}
   * is at least 1 for every positive float down to 3e-39.
   */
  private static float step(float v) {
    return Math.min(1f, Math.max(0f, v * Float.MAX_VALUE));
  }

  @Override
  public List<Param> params() {
    return List.of(weight, bias);
  }

  private static void addTo(Tensor t, float[] v) {
    float[] cur = t.toArray();
    for (int i = 0; i < v.length; i++) {
      cur[i] += v[i];
    }
    t.write(0, cur, 0, v.length);
  }

  private static float[] grow(float[] a, int n) {
    return a.length >= n ? a : new float[n];
  }
}
