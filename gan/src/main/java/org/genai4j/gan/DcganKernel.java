package org.genai4j.gan;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.genai4j.common.nn.ConvLayers;
import org.genai4j.common.nn.DirectConv;
import org.genai4j.common.nn.FusedBatchNorm;
import org.genai4j.common.nn.NativeFloats;
import org.genai4j.common.nn.Sgemm;
import org.genai4j.common.train.GradientSum;
import org.genai4j.common.util.Shards;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A hand-written forward and backward pass of the DCGAN's two training losses, computing exactly
 * what {@link Dcgan}'s SameDiff step graphs define ({@link DcganNetworks}, {@link AdversarialLoss})
 * over the graphs' own parameter arrays. Convolutions call libnd4j's (oneDNN) kernels directly
 * into preallocated arrays ({@link DirectConv}); batch norm with its activation, tanh, the logit
 * layer's bias and the loss run as fused Java loops ({@link FusedBatchNorm}).
 *
 * <p>Shortcuts the graphs cannot take: the discriminator step runs D once on the real and the
 * generated batch stacked ([2N, ...], batch norm still per half, so each half keeps its own batch
 * statistics) and so gets the summed weight gradients from one backward pass; the generator step
 * asks D only for its input gradient (a transposed convolution), not its weight gradients, and
 * reuses the discriminator step's generator pass when z and G are exactly unchanged; the layers on
 * the image side skip their unneeded input gradient.
 *
 * <p>Every pass splits its batch into parts of contiguous rows (shards; two per thread) that
 * {@link Shards#countFor} threads take as they come: a part's convolutions (its own {@link
 * DirectConv}, on row-block views), Java loops and gemms cover its rows, and it computes its share
 * of the weight gradients into buffers of its own, summed at the end in part order. Batch norm
 * couples the batch, so a pass stops at each batch norm until every part has added its
 * per-channel sums; the sums are combined in part order and each part normalizes its rows with
 * the whole batch's statistics (backward likewise). So any thread count computes the same loss and
 * gradients up to float rounding, and the same thread count the same bits whatever the timing.
 *
 * <p>FLOAT only. Buffers are kept per batch size. Not thread-safe (one caller at a time).
 */
final class DcganKernel {
  private static final float LEAKY = (float) DcganNetworks.LEAKY_SLOPE;

  /** A training-mode batch norm's statistics from the last step (mean, biased variance). */
  record Stats(String layer, float[] mean, float[] var, long count) {}

  /** Loss, metrics and batch statistics of one step; the gradients are in the kernel's maps. */
  record Step(double loss, double dReal, double dFake, List<Stats> stats) {}

  private final DcganConfig c;
  private final int stages;
  private final DirectConv conv = new DirectConv(4, 2, 1);
  /**
   * Wall and calling-thread CPU time spent in convolution kernels and in whole steps since
   * construction (for benchmarks; with one ND4J thread the kernels run on the calling thread).
   */
  private long convNanos;
  private long stepNanos;
  private long convCpuNanos;
  private long stepCpuNanos;
  private static final java.lang.management.ThreadMXBean THREADS =
      java.lang.management.ManagementFactory.getThreadMXBean();
  private final Map<String, INDArray> dParams;
  private final Map<String, INDArray> gParams;
  private final Map<String, INDArray> dGrads = new LinkedHashMap<>();
  private final Map<String, INDArray> gGrads = new LinkedHashMap<>();
  // Generator geometry: layer i (0 .. stages-1) has gCh[i] channels of gSize[i]^2 before its batch norm.
  private final int[] gCh;
  private final int[] gSize;
  // Discriminator geometry: conv layer i (1 .. stages) outputs dCh[i] channels of dSize[i]^2.
  private final int[] dCh;
  private final int[] dSize;
  private final Map<Integer, GBuffers> gBuffers = new HashMap<>();
  // Shard 0 (the calling thread) uses the kernel's own conv and gradient maps; others get their own.
  private final List<ShardState> shardStates = new java.util.ArrayList<>();
  private final Map<Integer, DBuffers> dBuffers = new HashMap<>();
  // What the last generator forward pass ran on, so the generator step can reuse the discriminator
  // step's pass (same z, G unchanged) after an exact comparison.
  private GBuffers lastForward;
  private float[] lastZ = new float[0];
  private float[] lastG = new float[0];
  private float[] nowZ = new float[0];
  private float[] nowG = new float[0];
  private long reusedForwards;
  // The thread running the current step: only its convolution time goes into the timers.
  private volatile Thread caller;

  DcganKernel(DcganConfig c, Map<String, INDArray> dParams, Map<String, INDArray> gParams) {
    this.c = c;
    this.stages = c.stages();
    this.dParams = dParams;
    this.gParams = gParams;
    gCh = new int[stages];
    gSize = new int[stages];
    gCh[0] = c.baseFeatures() << (stages - 1);
    gSize[0] = c.startSize();
    for (int i = 1; i < stages; i++) {
      gCh[i] = gCh[i - 1] / 2;
      gSize[i] = gSize[i - 1] * 2;
    }
    dCh = new int[stages + 1];
    dSize = new int[stages + 1];
    for (int i = 1; i <= stages; i++) {
      dCh[i] = c.baseFeatures() << (i - 1);
      dSize[i] = c.imageSize() >> i;
    }
    for (var e : dParams.entrySet()) {
      dGrads.put(e.getKey(), Nd4j.create(DataType.FLOAT, e.getValue().shape()));
    }
    for (var e : gParams.entrySet()) {
      gGrads.put(e.getKey(), Nd4j.create(DataType.FLOAT, e.getValue().shape()));
    }
    shardStates.add(new ShardState(conv, dGrads, gGrads));
    checkNames(dParams, dNames(), "discriminator");
    checkNames(gParams, gNames(), "generator");
  }

  /** True when the kernel can run a model with these parameters (all FLOAT). */
  static boolean supports(Map<String, INDArray> dParams, Map<String, INDArray> gParams) {
    return dParams.values().stream().allMatch(a -> a.dataType() == DataType.FLOAT)
        && gParams.values().stream().allMatch(a -> a.dataType() == DataType.FLOAT);
  }

  private List<String> dNames() {
    List<String> names = new java.util.ArrayList<>(List.of("D/down1/w", "D/down1/b"));
    for (int i = 2; i <= stages; i++) {
      names.addAll(List.of("D/down" + i + "/w", "D/bn" + i + "/gamma", "D/bn" + i + "/beta"));
    }
    names.addAll(List.of("D/logit/w", "D/logit/b"));
    return names;
  }

  private List<String> gNames() {
    List<String> names = new java.util.ArrayList<>(List.of("G/project/w", "G/bn0/gamma", "G/bn0/beta"));
    for (int i = 1; i < stages; i++) {
      names.addAll(List.of("G/up" + i + "/w", "G/bn" + i + "/gamma", "G/bn" + i + "/beta"));
    }
    names.addAll(List.of("G/up" + stages + "/w", "G/up" + stages + "/b"));
    return names;
  }

  private static void checkNames(Map<String, INDArray> params, List<String> expected, String what) {
    if (!new java.util.HashSet<>(expected).equals(params.keySet())) {
      throw new IllegalStateException("the hand-written DCGAN step expects " + what + " parameters " + expected
          + ", the graph has " + params.keySet());
    }
  }

  /**
   * Milliseconds since construction: wall time in convolution kernels, wall time in whole steps,
   * then the calling thread's CPU time in each.
   */
  double[] convAndStepMillis() {
    return new double[] {convNanos / 1e6, stepNanos / 1e6, convCpuNanos / 1e6, stepCpuNanos / 1e6};
  }

  /** D's gradients by parameter name, overwritten by every {@link #discriminatorStep}. */
  Map<String, INDArray> discriminatorGradients() {
    return dGrads;
  }

  /** G's gradients by parameter name, overwritten by every {@link #generatorStep}. */
  Map<String, INDArray> generatorGradients() {
    return gGrads;
  }

  // ---------------------------------------------------------------- steps

  /**
   * The discriminator's loss on {@code real} {@code [N, C, H, W]} (target {@code realLabel}) and
   * on G(z) (target 0), with D's gradients; the statistics are those of D's batch norms on the
   * real batch.
   */
  Step discriminatorStep(INDArray real, INDArray z) {
    long t0 = System.nanoTime();
    long c0 = THREADS.getCurrentThreadCpuTime();
    caller = Thread.currentThread();
    try {
      return discriminatorStepTimed(real, z);
    } finally {
      stepNanos += System.nanoTime() - t0;
      stepCpuNanos += THREADS.getCurrentThreadCpuTime() - c0;
    }
  }

  private Step discriminatorStepTimed(INDArray real, INDArray z) {
    int n = (int) real.size(0);
    GBuffers g = gBuffers.computeIfAbsent(n, GBuffers::new);
    generatorForwardOrReuse(g, z);
    DBuffers d = dBuffers.computeIfAbsent(2 * n, DBuffers::new);
    int pixels = c.pixels();
    NativeFloats.read(real.castTo(DataType.FLOAT).dup('c'), d.xF, 0);
    System.arraycopy(g.imgF, 0, d.xF, n * pixels, n * pixels);
    NativeFloats.write(d.xF, 0, d.x);
    discriminatorForward(d, 2, n);

    double y = c.realLabel();
    double lossReal = 0;
    double lossFake = 0;
    double sReal = 0;
    double sFake = 0;
    for (int i = 0; i < n; i++) {
      double lr = d.logitF[i];
      double lf = d.logitF[n + i];
      double pr = sigmoid(lr);
      double pf = sigmoid(lf);
      lossReal += softplus(lr) - y * lr;
      lossFake += softplus(lf);
      sReal += pr;
      sFake += pf;
      d.dLogitF[i] = (float) ((pr - y) / n);
      d.dLogitF[n + i] = (float) (pf / n);
    }
    discriminatorBackward(d, 2, n, true);
    List<Stats> stats = new java.util.ArrayList<>();
    for (int i = 2; i <= stages; i++) {
      stats.add(new Stats("D/bn" + i, toFloats(d.mean[i][0]), toFloats(d.var[i][0]),
          (long) n * dSize[i] * dSize[i]));
    }
    return new Step(lossReal / n + lossFake / n, sReal / n, sFake / n, stats);
  }

  /**
   * The non-saturating generator loss {@code mean softplus(-D(G(z)))} with G's gradients (D's
   * parameters are read, never changed); the statistics are those of G's batch norms.
   */
  Step generatorStep(INDArray z) {
    long t0 = System.nanoTime();
    long c0 = THREADS.getCurrentThreadCpuTime();
    caller = Thread.currentThread();
    try {
      return generatorStepTimed(z);
    } finally {
      stepNanos += System.nanoTime() - t0;
      stepCpuNanos += THREADS.getCurrentThreadCpuTime() - c0;
    }
  }

  private Step generatorStepTimed(INDArray z) {
    int n = (int) z.size(0);
    GBuffers g = gBuffers.computeIfAbsent(n, GBuffers::new);
    generatorForwardOrReuse(g, z);
    DBuffers d = dBuffers.computeIfAbsent(n, DBuffers::new);
    NativeFloats.write(g.imgF, 0, d.x);
    discriminatorForward(d, 1, n);
    double loss = 0;
    double sFake = 0;
    for (int i = 0; i < n; i++) {
      double lf = d.logitF[i];
      double pf = sigmoid(lf);
      loss += softplus(-lf);
      sFake += pf;
      d.dLogitF[i] = (float) ((pf - 1) / n);
    }
    discriminatorBackward(d, 1, n, false);
    NativeFloats.read(d.dX, g.dImgF, 0);
    generatorBackward(g);
    List<Stats> stats = new java.util.ArrayList<>();
    for (int i = 0; i < stages; i++) {
      stats.add(new Stats("G/bn" + i, toFloats(g.mean[i]), toFloats(g.var[i]), (long) n * gSize[i] * gSize[i]));
    }
    return new Step(loss / n, Double.NaN, sFake / n, stats);
  }

  // ---------------------------------------------------------------- generator

  /** Activations of the generator for one batch size. */
  private final class GBuffers {
    final int n;
    final INDArray[] h = new INDArray[stages]; // before batch norm
    final INDArray[] a = new INDArray[stages]; // after batch norm + ReLU
    final INDArray[] dA = new INDArray[stages];
    final INDArray[] dH = new INDArray[stages];
    final float[][] hF = new float[stages][];
    final float[][] xhat = new float[stages][];
    final float[][] aF = new float[stages][];
    final float[][] dF = new float[stages][];
    final double[][] mean = new double[stages][];
    final double[][] var = new double[stages][];
    final float[][] invStd = new float[stages][];
    final INDArray z;
    final INDArray out;
    final INDArray dOut;
    final float[] imgF;
    final float[] dImgF;

    GBuffers(int n) {
      this.n = n;
      for (int i = 0; i < stages; i++) {
        long[] shape = {n, gCh[i], gSize[i], gSize[i]};
        h[i] = Nd4j.create(DataType.FLOAT, shape);
        a[i] = Nd4j.create(DataType.FLOAT, shape);
        dA[i] = Nd4j.create(DataType.FLOAT, shape);
        dH[i] = Nd4j.create(DataType.FLOAT, shape);
        int len = (int) h[i].length();
        hF[i] = new float[len];
        xhat[i] = new float[len];
        aF[i] = new float[len];
        dF[i] = new float[len];
        mean[i] = new double[gCh[i]];
        var[i] = new double[gCh[i]];
        invStd[i] = new float[gCh[i]];
      }
      z = Nd4j.create(DataType.FLOAT, n, c.latentSize());
      out = Nd4j.create(DataType.FLOAT, n, c.channels(), c.imageSize(), c.imageSize());
      dOut = Nd4j.create(DataType.FLOAT, n, c.channels(), c.imageSize(), c.imageSize());
      imgF = new float[(int) out.length()];
      dImgF = new float[(int) out.length()];
    }
  }

  /**
   * Runs the generator on z unless g already holds the pass for exactly this z and these G
   * parameters (compared element by element): within a training step the generator step sees the
   * discriminator step's z and an unchanged G, so its forward pass is the one already computed.
   */
  private void generatorForwardOrReuse(GBuffers g, INDArray z) {
    nowZ = fill(nowZ, List.of(z.castTo(DataType.FLOAT).dup('c')));
    nowG = fill(nowG, gParams.values());
    if (g == lastForward && java.util.Arrays.equals(nowZ, lastZ) && java.util.Arrays.equals(nowG, lastG)) {
      reusedForwards++;
      return;
    }
    lastForward = null; // g's contents change now
    generatorForward(g, z);
    float[] t = lastZ;
    lastZ = nowZ;
    nowZ = t;
    t = lastG;
    lastG = nowG;
    nowG = t;
    lastForward = g;
  }

  /** The arrays' elements one after another in {@code into} (reallocated when its length differs). */
  private static float[] fill(float[] into, java.util.Collection<INDArray> arrays) {
    long total = 0;
    for (INDArray a : arrays) {
      total += a.length();
    }
    float[] out = into.length == total ? into : new float[(int) total];
    int at = 0;
    for (INDArray a : arrays) {
      NativeFloats.read(a, out, at);
      at += (int) a.length();
    }
    return out;
  }

  /** How many generator forward passes were reused instead of recomputed (for tests and benchmarks). */
  long reusedForwards() {
    return reusedForwards;
  }

  private void generatorForward(GBuffers g, INDArray z) {
    g.z.assign(z);
    int latent = c.latentSize();
    int projected = gCh[0] * gSize[0] * gSize[0];
    int pixels = c.pixels();
    int[] b = bounds(g.n);
    int shards = b.length - 1;
    float[][] gamma = new float[stages][];
    float[][] beta = new float[stages][];
    BnSums[] sums = new BnSums[stages];
    for (int i = 0; i < stages; i++) {
      gamma[i] = floats(gParams, "G/bn" + i + "/gamma");
      beta[i] = floats(gParams, "G/bn" + i + "/beta");
      sums[i] = new BnSums(shards, 1, gCh[i]);
    }
    INDArray wProject = gParams.get("G/project/w");
    Shards.runParts(shards, s -> {
      int lo = b[s];
      int hi = b[s + 1];
      Sgemm.gemm(false, false, hi - lo, projected, latent, 1f, Sgemm.pointer(g.z), (long) lo * latent, latent,
          Sgemm.pointer(wProject), 0, projected, 0f, Sgemm.pointer(g.h[0]), (long) lo * projected, projected);
      readRows(g.h[0], g.hF[0], lo, hi);
      FusedBatchNorm.addSums(g.hF[0], lo, hi - lo, gCh[0], gSize[0] * gSize[0], sums[0].x[s][0], sums[0].y[s][0]);
    });
    for (int i = 0; i < stages; i++) {
      int layer = i;
      int spatial = gSize[i] * gSize[i];
      FusedBatchNorm.statistics(sums[i].totalX(0), sums[i].totalY(0), (double) g.n * spatial, ConvLayers.BN_EPSILON,
          g.mean[i], g.var[i], g.invStd[i]);
      Shards.runParts(shards, s -> {
        int lo = b[s];
        int hi = b[s + 1];
        DirectConv conv = shard(s).conv;
        FusedBatchNorm.normalize(g.hF[layer], lo, hi - lo, gCh[layer], spatial, gamma[layer], beta[layer], 0f,
            g.mean[layer], g.invStd[layer], g.xhat[layer], g.aF[layer]);
        writeRows(g.aF[layer], g.a[layer], lo, hi);
        if (layer + 1 < stages) {
          int next = layer + 1;
          timed(() -> conv.deconv2d(rows(g.a[layer], lo, hi), gParams.get("G/up" + next + "/w"), null,
              rows(g.h[next], lo, hi)));
          readRows(g.h[next], g.hF[next], lo, hi);
          FusedBatchNorm.addSums(g.hF[next], lo, hi - lo, gCh[next], gSize[next] * gSize[next], sums[next].x[s][0],
              sums[next].y[s][0]);
        } else {
          timed(() -> conv.deconv2d(rows(g.a[layer], lo, hi), gParams.get("G/up" + stages + "/w"),
              gParams.get("G/up" + stages + "/b"), rows(g.out, lo, hi)));
          readRows(g.out, g.imgF, lo, hi);
          for (int p = lo * pixels; p < hi * pixels; p++) {
            g.imgF[p] = tanh(g.imgF[p]);
          }
        }
      });
    }
  }

  /** From g.dImgF (the loss's gradient w.r.t. the generated images) to every G gradient. */
  private void generatorBackward(GBuffers g) {
    float[] img = g.imgF;
    float[] d = g.dImgF;
    int pixels = c.pixels();
    int size = c.imageSize();
    int[] b = bounds(g.n);
    int shards = b.length - 1;
    float[][] gamma = new float[stages][];
    BnSums[] sums = new BnSums[stages];
    for (int i = 0; i < stages; i++) {
      gamma[i] = floats(gParams, "G/bn" + i + "/gamma");
      sums[i] = new BnSums(shards, 1, gCh[i]);
    }
    // The last deconvolution has few output channels: its input gradient is a cheap convolution of
    // dOut with the same weights, and its weight gradient a gemm over dOut's patches.
    INDArray wLast = gParams.get("G/up" + stages + "/w");
    Shards.runParts(shards, s -> {
      int lo = b[s];
      int hi = b[s + 1];
      ShardState st = shard(s);
      for (int p = lo * pixels; p < hi * pixels; p++) {
        d[p] = d[p] * (1 - img[p] * img[p]);
      }
      writeRows(d, g.dOut, lo, hi);
      NativeFloats.write(channelSums(d, lo, hi, c.channels(), size * size), 0, st.gGrads.get("G/up" + stages + "/b"));
      INDArray dOut = rows(g.dOut, lo, hi);
      timed(() -> st.conv.conv2d(dOut, wLast, null, rows(g.dA[stages - 1], lo, hi)));
      timed(() -> st.conv.conv2dWeightGradient(d, lo, hi - lo, c.channels(), size, size,
          rows(g.a[stages - 1], lo, hi), st.gGrads.get("G/up" + stages + "/w")));
      generatorGradientSums(g, stages - 1, s, lo, hi, sums[stages - 1]);
    });
    for (int i = stages - 1; i >= 0; i--) {
      int layer = i;
      int spatial = gSize[i] * gSize[i];
      double[] sumDy = sums[i].totalX(0);
      double[] sumDyXhat = sums[i].totalY(0);
      NativeFloats.write(toFloats(sumDyXhat), 0, gGrads.get("G/bn" + i + "/gamma"));
      NativeFloats.write(toFloats(sumDy), 0, gGrads.get("G/bn" + i + "/beta"));
      Shards.runParts(shards, s -> {
        int lo = b[s];
        int hi = b[s + 1];
        ShardState st = shard(s);
        FusedBatchNorm.backwardApply(g.dF[layer], g.xhat[layer], lo, hi - lo, gCh[layer], spatial, gamma[layer],
            g.invStd[layer], sumDy, sumDyXhat, (double) g.n * spatial);
        writeRows(g.dF[layer], g.dH[layer], lo, hi);
        if (layer > 0) {
          timed(() -> st.conv.deconv2dBackprop(rows(g.a[layer - 1], lo, hi), gParams.get("G/up" + layer + "/w"),
              null, rows(g.dH[layer], lo, hi), rows(g.dA[layer - 1], lo, hi), st.gGrads.get("G/up" + layer + "/w"),
              null));
          generatorGradientSums(g, layer - 1, s, lo, hi, sums[layer - 1]);
        } else {
          // g.z still holds z: the generator step's z equals the one its forward pass ran on.
          int latent = c.latentSize();
          int projected = gCh[0] * gSize[0] * gSize[0];
          Sgemm.gemm(true, false, latent, projected, hi - lo, 1f, Sgemm.pointer(g.z), (long) lo * latent, latent,
              Sgemm.pointer(g.dH[0]), (long) lo * projected, projected, 0f,
              Sgemm.pointer(st.gGrads.get("G/project/w")), 0, projected);
        }
      });
    }
    sumShardGradients(gGrads, false, shards);
  }

  /** Reads G's layer-i activation gradient for rows [lo, hi) and adds their batch-norm backward sums. */
  private void generatorGradientSums(GBuffers g, int i, int s, int lo, int hi, BnSums sums) {
    readRows(g.dA[i], g.dF[i], lo, hi);
    FusedBatchNorm.addGradientSums(g.dF[i], g.aF[i], g.xhat[i], lo, hi - lo, gCh[i], gSize[i] * gSize[i], 0f, g.dF[i],
        sums.x[s][0], sums.y[s][0]);
  }

  // ---------------------------------------------------------------- discriminator

  /** Activations of the discriminator for one number of stacked images. */
  private final class DBuffers {
    final INDArray x;
    final float[] xF;
    final INDArray dX;
    final INDArray[] conv = new INDArray[stages + 1]; // conv output, before batch norm
    final INDArray[] a = new INDArray[stages + 1]; // after batch norm + LeakyReLU
    final INDArray[] dA = new INDArray[stages + 1];
    final INDArray[] dC = new INDArray[stages + 1];
    final float[][] cF = new float[stages + 1][];
    final float[][] xhat = new float[stages + 1][];
    final float[][] aF = new float[stages + 1][];
    final float[][] dF = new float[stages + 1][];
    final double[][][] mean = new double[stages + 1][2][];
    final double[][][] var = new double[stages + 1][2][];
    final float[][][] invStd = new float[stages + 1][2][];
    final int m;
    final int flatSize; // the last conv layer's outputs per image, the logit layer's inputs
    final INDArray logit;
    final INDArray dLogit;
    final float[] logitF;
    final float[] dLogitF;

    DBuffers(int m) {
      x = Nd4j.create(DataType.FLOAT, m, c.channels(), c.imageSize(), c.imageSize());
      xF = new float[(int) x.length()];
      dX = Nd4j.create(DataType.FLOAT, m, c.channels(), c.imageSize(), c.imageSize());
      for (int i = 1; i <= stages; i++) {
        long[] shape = {m, dCh[i], dSize[i], dSize[i]};
        conv[i] = Nd4j.create(DataType.FLOAT, shape);
        a[i] = Nd4j.create(DataType.FLOAT, shape);
        dA[i] = Nd4j.create(DataType.FLOAT, shape);
        dC[i] = Nd4j.create(DataType.FLOAT, shape);
        int len = (int) conv[i].length();
        cF[i] = new float[len];
        xhat[i] = new float[len];
        aF[i] = new float[len];
        dF[i] = new float[len];
        for (int g = 0; g < 2; g++) {
          mean[i][g] = new double[dCh[i]];
          var[i][g] = new double[dCh[i]];
          invStd[i][g] = new float[dCh[i]];
        }
      }
      this.m = m;
      flatSize = dCh[stages] * dSize[stages] * dSize[stages];
      logit = Nd4j.create(DataType.FLOAT, m, 1);
      dLogit = Nd4j.create(DataType.FLOAT, m, 1);
      logitF = new float[m];
      dLogitF = new float[m];
    }
  }

  /** D on d.x, batch norm statistics per group of {@code n} images; logits into d.logitF. */
  private void discriminatorForward(DBuffers d, int groups, int n) {
    int[] b = bounds(d.m);
    int shards = b.length - 1;
    float[][] gamma = new float[stages + 1][];
    float[][] beta = new float[stages + 1][];
    BnSums[] sums = new BnSums[stages + 1];
    for (int i = 2; i <= stages; i++) {
      gamma[i] = floats(dParams, "D/bn" + i + "/gamma");
      beta[i] = floats(dParams, "D/bn" + i + "/beta");
      sums[i] = new BnSums(shards, groups, dCh[i]);
    }
    Shards.runParts(shards, s -> discriminatorForwardFrom(d, 1, s, b[s], b[s + 1], n, sums));
    for (int i = 2; i <= stages; i++) {
      int layer = i;
      int spatial = dSize[i] * dSize[i];
      for (int g = 0; g < groups; g++) {
        FusedBatchNorm.statistics(sums[i].totalX(g), sums[i].totalY(g), (double) n * spatial, ConvLayers.BN_EPSILON,
            d.mean[i][g], d.var[i][g], d.invStd[i][g]);
      }
      Shards.runParts(shards, s -> {
        int lo = b[s];
        int hi = b[s + 1];
        forEachGroupPart(lo, hi, n, (g, from, to) -> FusedBatchNorm.normalize(d.cF[layer], from, to - from,
            dCh[layer], spatial, gamma[layer], beta[layer], LEAKY, d.mean[layer][g], d.invStd[layer][g],
            d.xhat[layer], d.aF[layer]));
        writeRows(d.aF[layer], d.a[layer], lo, hi);
        discriminatorForwardFrom(d, layer + 1, s, lo, hi, n, sums);
      });
    }
    float bias = dParams.get("D/logit/b").getFloat(0);
    for (int i = 0; i < d.logitF.length; i++) {
      d.logitF[i] += bias;
    }
  }

  /**
   * D's layers from {@code first} on for rows [lo, hi), up to the next batch norm's sums (which
   * need every shard's before it can normalize) or, past the last layer, the logits (without bias).
   */
  private void discriminatorForwardFrom(DBuffers d, int first, int s, int lo, int hi, int n, BnSums[] sums) {
    DirectConv conv = shard(s).conv;
    for (int i = first; i <= stages; i++) {
      INDArray input = rows(i == 1 ? d.x : d.a[i - 1], lo, hi);
      INDArray w = dParams.get("D/down" + i + "/w");
      INDArray bias = i == 1 ? dParams.get("D/down1/b") : null;
      INDArray out = rows(d.conv[i], lo, hi);
      timed(() -> conv.conv2d(input, w, bias, out));
      readRows(d.conv[i], d.cF[i], lo, hi);
      int layer = i;
      int spatial = dSize[i] * dSize[i];
      if (i == 1) {
        int row = dCh[1] * spatial;
        FusedBatchNorm.activate(d.cF[1], d.aF[1], lo * row, hi * row, LEAKY);
        writeRows(d.aF[1], d.a[1], lo, hi);
        continue;
      }
      forEachGroupPart(lo, hi, n, (g, from, to) -> FusedBatchNorm.addSums(d.cF[layer], from, to - from, dCh[layer],
          spatial, sums[layer].x[s][g], sums[layer].y[s][g]));
      return;
    }
    Sgemm.gemm(false, false, hi - lo, 1, d.flatSize, 1f, Sgemm.pointer(d.a[stages]), (long) lo * d.flatSize,
        d.flatSize, Sgemm.pointer(dParams.get("D/logit/w")), 0, 1, 0f, Sgemm.pointer(d.logit), lo, 1);
    readRows(d.logit, d.logitF, lo, hi);
  }

  /**
   * From d.dLogitF back through D: with {@code weights}, every D gradient (into dGrads); without,
   * only the gradient w.r.t. the input images (into d.dX).
   */
  private void discriminatorBackward(DBuffers d, int groups, int n, boolean weights) {
    NativeFloats.write(d.dLogitF, 0, d.dLogit);
    INDArray wl = dParams.get("D/logit/w");
    if (weights) {
      // One sum in double over the whole batch: real and generated images' terms have opposite signs
      // and largely cancel, so per-shard float partials would lose digits.
      double sum = 0;
      for (float v : d.dLogitF) {
        sum += v;
      }
      dGrads.get("D/logit/b").assign(sum);
    }
    int[] b = bounds(d.m);
    int shards = b.length - 1;
    float[][] gamma = new float[stages + 1][];
    BnSums[] sums = new BnSums[stages + 1];
    for (int i = 2; i <= stages; i++) {
      gamma[i] = floats(dParams, "D/bn" + i + "/gamma");
      sums[i] = new BnSums(shards, groups, dCh[i]);
    }
    Shards.runParts(shards, s -> {
      int lo = b[s];
      int hi = b[s + 1];
      if (weights) {
        Map<String, INDArray> grads = shard(s).dGrads;
        Sgemm.gemm(true, false, d.flatSize, 1, hi - lo, 1f, Sgemm.pointer(d.a[stages]), (long) lo * d.flatSize,
            d.flatSize, Sgemm.pointer(d.dLogit), lo, 1, 0f, Sgemm.pointer(grads.get("D/logit/w")), 0, 1);
      }
      Sgemm.gemm(false, true, hi - lo, d.flatSize, 1, 1f, Sgemm.pointer(d.dLogit), lo, 1, Sgemm.pointer(wl), 0, 1, 0f,
          Sgemm.pointer(d.dA[stages]), (long) lo * d.flatSize, d.flatSize);
      discriminatorGradientSums(d, stages, s, lo, hi, n, sums[stages]);
    });
    for (int i = stages; i >= 1; i--) {
      int layer = i;
      int spatial = dSize[i] * dSize[i];
      double[][] sumDy = new double[groups][];
      double[][] sumDyXhat = new double[groups][];
      if (i >= 2) {
        float[] dGamma = new float[dCh[i]];
        float[] dBeta = new float[dCh[i]];
        for (int g = 0; g < groups; g++) {
          sumDy[g] = sums[i].totalX(g);
          sumDyXhat[g] = sums[i].totalY(g);
          for (int ch = 0; ch < dCh[i]; ch++) {
            dGamma[ch] += (float) sumDyXhat[g][ch];
            dBeta[ch] += (float) sumDy[g][ch];
          }
        }
        if (weights) {
          NativeFloats.write(dGamma, 0, dGrads.get("D/bn" + i + "/gamma"));
          NativeFloats.write(dBeta, 0, dGrads.get("D/bn" + i + "/beta"));
        }
      }
      Shards.runParts(shards, s -> {
        int lo = b[s];
        int hi = b[s + 1];
        ShardState st = shard(s);
        float[] dy = d.dF[layer];
        if (layer >= 2) {
          forEachGroupPart(lo, hi, n, (g, from, to) -> FusedBatchNorm.backwardApply(dy, d.xhat[layer], from,
              to - from, dCh[layer], spatial, gamma[layer], d.invStd[layer][g], sumDy[g], sumDyXhat[g],
              (double) n * spatial));
        }
        writeRows(dy, d.dC[layer], lo, hi);
        INDArray w = dParams.get("D/down" + layer + "/w");
        INDArray dC = rows(d.dC[layer], lo, hi);
        if (weights) {
          INDArray dW = st.dGrads.get("D/down" + layer + "/w");
          if (layer == 1) {
            // The bias gradient as a Java sum over the gradient already in hand; the images'
            // gradient is not needed: the weights' alone, from the few-channel input's patches.
            NativeFloats.write(channelSums(dy, lo, hi, dCh[1], spatial), 0, st.dGrads.get("D/down1/b"));
            timed(() -> st.conv.conv2dWeightGradient(d.xF, lo, hi - lo, c.channels(), c.imageSize(),
                c.imageSize(), dC, dW));
          } else {
            timed(() -> st.conv.conv2dBackprop(rows(d.a[layer - 1], lo, hi), w, null, dC,
                rows(d.dA[layer - 1], lo, hi), dW, null));
          }
        } else {
          INDArray gradIn = rows(layer == 1 ? d.dX : d.dA[layer - 1], lo, hi);
          timed(() -> st.conv.conv2dInputGradient(w, dC, gradIn));
        }
        if (layer > 1) {
          discriminatorGradientSums(d, layer - 1, s, lo, hi, n, sums[layer - 1]);
        }
      });
    }
    if (weights) {
      sumShardGradients(dGrads, true, shards);
    }
  }

  /**
   * Reads D's layer-i activation gradient for rows [lo, hi) and applies the activation's derivative;
   * for a batch-norm layer, adds the rows' backward sums per group too.
   */
  private void discriminatorGradientSums(DBuffers d, int i, int s, int lo, int hi, int n, BnSums sums) {
    readRows(d.dA[i], d.dF[i], lo, hi);
    int spatial = dSize[i] * dSize[i];
    if (i == 1) {
      int row = dCh[1] * spatial;
      FusedBatchNorm.activateBackward(d.dF[1], d.aF[1], lo * row, hi * row, LEAKY);
      return;
    }
    forEachGroupPart(lo, hi, n, (g, from, to) -> FusedBatchNorm.addGradientSums(d.dF[i], d.aF[i], d.xhat[i], from,
        to - from, dCh[i], spatial, LEAKY, d.dF[i], sums.x[s][g], sums.y[s][g]));
  }

  // ---------------------------------------------------------------- shards

  /** Per-channel sums of one batch-norm layer (two kinds, x and y), per shard and group of examples. */
  private static final class BnSums {
    final double[][][] x;
    final double[][][] y;

    BnSums(int shards, int groups, int channels) {
      x = new double[shards][groups][channels];
      y = new double[shards][groups][channels];
    }

    /** Group g's x sums over all shards, added in shard order (so the result never depends on timing). */
    double[] totalX(int g) {
      return total(x, g);
    }

    double[] totalY(int g) {
      return total(y, g);
    }

    private static double[] total(double[][][] perShard, int g) {
      double[] t = perShard[0][g].clone();
      for (int s = 1; s < perShard.length; s++) {
        for (int ch = 0; ch < t.length; ch++) {
          t[ch] += perShard[s][g][ch];
        }
      }
      return t;
    }
  }

  /** What one shard needs of its own: a DirectConv (it keeps scratch) and partial weight gradients. */
  private static final class ShardState {
    final DirectConv conv;
    final Map<String, INDArray> dGrads;
    final Map<String, INDArray> gGrads;

    ShardState(DirectConv conv, Map<String, INDArray> dGrads, Map<String, INDArray> gGrads) {
      this.conv = conv;
      this.dGrads = dGrads;
      this.gGrads = gGrads;
    }
  }

  private interface GroupPart {
    void run(int group, int from, int to);
  }

  /** Calls {@code part} for each group of {@code n} rows that [lo, hi) overlaps, with the overlap. */
  private static void forEachGroupPart(int lo, int hi, int n, GroupPart part) {
    for (int g = lo / n; g * n < hi; g++) {
      int from = Math.max(lo, g * n);
      int to = Math.min(hi, (g + 1) * n);
      if (from < to) {
        part.run(g, from, to);
      }
    }
  }

  /**
   * Row bounds of the parts of a pass over {@code rows} examples (partsPerThread per thread, when
   * there is more than one thread); makes sure their state exists.
   */
  private int[] bounds(int rows) {
    int threads = Shards.countFor(rows);
    int shards = threads == 1 ? 1 : Math.min(rows, threads * partsPerThread);
    while (shardStates.size() < shards) {
      shardStates.add(new ShardState(new DirectConv(4, 2, 1), partialGradients(dGrads), partialGradients(gGrads)));
    }
    return Shards.bounds(rows, shards);
  }

  /** Parts per thread of each pass (1: one fixed share of the batch per thread). */
  static void setPartsPerThread(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("parts per thread must be >= 1, got " + n);
    }
    partsPerThread = n;
  }

  /**
   * Two parts per thread: on an idle machine as fast as one fixed half each (measured 162 ms per
   * D + G pass either way), and when another process takes CPU time the thread left running takes
   * the next part instead of waiting for the other's half at every batch norm.
   */
  static final int DEFAULT_PARTS_PER_THREAD = 2;

  private static volatile int partsPerThread = DEFAULT_PARTS_PER_THREAD;

  private ShardState shard(int s) {
    return shardStates.get(s);
  }

  /** Fresh arrays for a shard's part of the gradients that shards sum (all but batch norm's). */
  private static Map<String, INDArray> partialGradients(Map<String, INDArray> grads) {
    Map<String, INDArray> partial = new LinkedHashMap<>();
    grads.forEach((name, g) -> {
      if (summedByShards(name)) {
        partial.put(name, Nd4j.create(DataType.FLOAT, g.shape()));
      }
    });
    return partial;
  }

  /**
   * Batch norm's gain and shift gradients come whole from the combined sums, and the logit's bias
   * from one sum on the calling thread; the rest are summed from per-shard parts.
   */
  private static boolean summedByShards(String name) {
    return !name.contains("/bn") && !name.equals("D/logit/b");
  }

  /** Adds the other shards' partial gradients into {@code grads} (shard 0's), when there are other shards. */
  private void sumShardGradients(Map<String, INDArray> grads, boolean discriminator, int shards) {
    if (shards < 2) {
      return;
    }
    List<Map<String, INDArray>> parts = new java.util.ArrayList<>();
    Map<String, INDArray> first = new LinkedHashMap<>();
    grads.forEach((name, g) -> {
      if (summedByShards(name)) {
        first.put(name, g);
      }
    });
    parts.add(first);
    for (int s = 1; s < shards; s++) {
      parts.add(discriminator ? shard(s).dGrads : shard(s).gGrads);
    }
    GradientSum.sumInto(parts);
  }

  private static INDArray rows(INDArray a, int from, int to) {
    return from == 0 && to == a.size(0) ? a : a.get(NDArrayIndex.interval(from, to));
  }

  /** Copies rows [from, to) of {@code a} into the same elements of {@code dst} (a's float[] mirror). */
  private static void readRows(INDArray a, float[] dst, int from, int to) {
    int row = (int) (a.length() / a.size(0));
    NativeFloats.read(rows(a, from, to), dst, from * row);
  }

  /** Copies rows [from, to) of {@code src} (a's float[] mirror) into {@code a}. */
  private static void writeRows(float[] src, INDArray a, int from, int to) {
    int row = (int) (a.length() / a.size(0));
    NativeFloats.write(src, from * row, rows(a, from, to));
  }

  // ---------------------------------------------------------------- helpers

  /** Runs a convolution; on the calling thread adds its time to the benchmark timers. */
  private void timed(Runnable convolution) {
    if (Thread.currentThread() != caller) {
      convolution.run();
      return;
    }
    long t0 = System.nanoTime();
    long c0 = THREADS.getCurrentThreadCpuTime();
    convolution.run();
    convNanos += System.nanoTime() - t0;
    convCpuNanos += THREADS.getCurrentThreadCpuTime() - c0;
  }

  private static float[] floats(Map<String, INDArray> params, String name) {
    return NativeFloats.toArray(params.get(name));
  }

  /** Per-channel sums of rows (images) [from, to) of NCHW data {@code [*, channels, spatial]} (a bias's gradient). */
  private static float[] channelSums(float[] x, int from, int to, int channels, int spatial) {
    double[] sum = new double[channels];
    for (int i = from; i < to; i++) {
      for (int ch = 0; ch < channels; ch++) {
        int p = (i * channels + ch) * spatial;
        int end = p + spatial;
        // Four independent chains: one would wait on each addition's latency.
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (; p + 3 < end; p += 4) {
          s0 += x[p];
          s1 += x[p + 1];
          s2 += x[p + 2];
          s3 += x[p + 3];
        }
        for (; p < end; p++) {
          s0 += x[p];
        }
        sum[ch] += (double) s0 + s1 + s2 + s3;
      }
    }
    return toFloats(sum);
  }

  private static float[] toFloats(double[] v) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = (float) v[i];
    }
    return f;
  }

  /**
   * tanh from Math.exp, a JIT intrinsic (Math.tanh is a native call per element in Java 17): in
   * double, exact to a few ulps of the float result; saturates to +-1 when exp overflows or vanishes.
   */
  static float tanh(float x) {
    return (float) (1 - 2 / (Math.exp(2.0 * x) + 1));
  }

  private static double sigmoid(double x) {
    return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
  }

  /** log(1 + exp(x)) without overflow, as {@link AdversarialLoss#softplus}. */
  private static double softplus(double x) {
    return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
  }
}
