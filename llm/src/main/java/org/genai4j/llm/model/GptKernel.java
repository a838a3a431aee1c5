package org.genai4j.llm.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A hand-written forward and backward pass of {@link GptModel}'s training loss for one batch
 * shape, over the SameDiff graph's own parameter arrays. It computes exactly what the graph
 * defines (see {@link #supports}): embeddings as row lookups (their gradient a scatter-add of
 * rows), pre-LayerNorm blocks with DL4J's epsilon-free layer norm ({@link LayerNormKernel}),
 * causal attention ({@link AttentionKernel}), GELU in DL4J's sigmoid form
 * {@code x * sigmoid(1.702 x)}, the final layer norm, the head (tied: {@code h @ wte^T}) and the
 * mean cross-entropy over {@code batch * time} tokens.
 *
 * <p>Why: SameDiff spends about half of this small model's step in per-op bookkeeping and a slow
 * layer-norm gradient kernel. Here the matrix products go straight to BLAS ({@link GemmClock})
 * into buffers allocated once, and everything else is a few fused Java loops per layer.
 * Not thread-safe: {@link GptKernelGroup} runs one kernel per shard of the batch.
 */
final class GptKernel {

  /** Activations of one block kept for the backward pass. */
  private static final class Layer {
    final String name;
    final LayerNormKernel ln1;
    final LayerNormKernel ln2;
    final NativeFloats a; // ln1 output [N, C]
    final NativeFloats qkv; // [N, 3C]
    final NativeFloats probs; // [B*H, T, T]
    final NativeFloats y; // attention output before projection [N, C]
    final NativeFloats m; // ln2 output [N, C]
    final NativeFloats f; // fc output before GELU [N, 4C]
    final NativeFloats g; // GELU output [N, 4C]
    final float[][] geluGrad; // GELU derivative at f, [N][4C]

    Layer(String name, int n, int c, AttentionKernel attention) {
      this.name = name;
      ln1 = new LayerNormKernel(n, c);
      ln2 = new LayerNormKernel(n, c);
      a = NativeFloats.zeros(n, c);
      qkv = NativeFloats.zeros(n, 3L * c);
      probs = attention.newProbs();
      y = NativeFloats.zeros(n, c);
      m = NativeFloats.zeros(n, c);
      f = NativeFloats.zeros(n, 4L * c);
      g = NativeFloats.zeros(n, 4L * c);
      geluGrad = new float[n][4 * c];
    }
  }

  private final GptConfig config;
  private final int batch;
  private final int time;
  private final int rows;
  private final int width;
  private final int hidden;
  private final int vocab;
  /** The token count the loss is averaged over: {@code rows}, or the whole batch's when this is a shard. */
  private final int lossRows;
  private final GemmClock blas = new GemmClock();
  private final GemmClock attentionBlas = new GemmClock();
  private final AttentionKernel attention;
  private final Layer[] layers;
  private final LayerNormKernel lnf;
  private final NativeFloats ones;
  private final NativeFloats x; // the residual stream [N, C]
  private final NativeFloats hf; // final layer norm output [N, C]
  private final NativeFloats logits; // [N, V], then their gradient
  private final NativeFloats dx; // gradient of the residual stream [N, C]
  private final NativeFloats dWide; // [N, C] scratch gradient
  private final NativeFloats dHidden; // [N, 4C]
  private final NativeFloats dqkv; // [N, 3C]
  private final float[] sinusoids; // [blockSize * C] when positions are fixed
  private final List<String> names = new ArrayList<>();
  private final Map<String, NativeFloats> params = new LinkedHashMap<>();
  private final Map<String, NativeFloats> grads = new LinkedHashMap<>();
  private final Map<String, INDArray> gradArrays = new LinkedHashMap<>();
  private int[] tokens;
  private int[] targets;
  /** Where the step's time goes, for {@link GptKernelProfile}. */
  enum Phase { EMBEDDING, LAYER_NORM, LINEAR, ATTENTION, GELU, HEAD_AND_LOSS }

  private final long[] phaseNanos = new long[Phase.values().length];
  private long mark;

  /** True when this kernel computes the graph's loss for {@code config} with this dropout. */
  static boolean supports(GptConfig config, double dropout) {
    return dropout == 0.0;
  }

  /**
   * A kernel for {@code batch} sequences that are one shard of a batch of {@code wholeBatch} (all
   * of it when the two are equal): its loss and gradients are averaged over the whole batch's
   * tokens, so the shards' sum is the whole batch's mean.
   */
  GptKernel(GptConfig config, int batch, int time, int wholeBatch, Map<String, INDArray> liveParams) {
    if (wholeBatch < batch) {
      throw new IllegalArgumentException("a shard of " + batch + " sequences cannot belong to a batch of " + wholeBatch);
    }
    this.config = config;
    this.lossRows = wholeBatch * time;
    this.batch = batch;
    this.time = time;
    this.rows = batch * time;
    this.width = config.nEmbd();
    this.hidden = 4 * width;
    this.vocab = config.vocabSize();
    attention = new AttentionKernel(config, batch, time, attentionBlas);
    layers = new Layer[config.nLayer()];
    for (int i = 0; i < layers.length; i++) {
      layers[i] = new Layer("h" + i, rows, width, attention);
    }
    lnf = new LayerNormKernel(rows, width);
    ones = NativeFloats.zeros(rows);
    ones.fill(1f);
    x = NativeFloats.zeros(rows, width);
    hf = NativeFloats.zeros(rows, width);
    logits = NativeFloats.zeros(rows, vocab);
    dx = NativeFloats.zeros(rows, width);
    dWide = NativeFloats.zeros(rows, width);
    dHidden = NativeFloats.zeros(rows, hidden);
    dqkv = NativeFloats.zeros(rows, 3L * width);
    boolean learned = config.positional() == PositionalEncoding.LEARNED;
    sinusoids = learned ? null : Positions.sinusoids(config.blockSize(), width).data().asFloat();
    expectedNames(learned);
    bind(liveParams);
    for (String n : names) {
      NativeFloats g = NativeFloats.zeros(params.get(n).array.shape());
      grads.put(n, g);
      gradArrays.put(n, g.array);
    }
  }

  private void expectedNames(boolean learned) {
    names.add("wte");
    if (learned) names.add("wpe");
    for (Layer l : layers) {
      for (String s : List.of("/ln1", "/attn/qkv", "/attn/proj", "/ln2", "/mlp/fc", "/mlp/proj")) {
        names.add(l.name + s + (s.startsWith("/ln") ? "/g" : "/w"));
        if (config.bias()) names.add(l.name + s + "/b");
      }
    }
    names.add("lnf/g");
    if (config.bias()) names.add("lnf/b");
    if (!config.tieWeights()) names.add("head/w");
  }

  /** Points the kernel at the graph's live parameter arrays (re-wrapping any that were replaced). */
  void bind(Map<String, INDArray> live) {
    if (!live.keySet().equals(new java.util.HashSet<>(names))) {
      throw new IllegalStateException("the hand-written GPT step expects parameters " + names + " but the graph has "
          + live.keySet());
    }
    for (String n : names) {
      INDArray a = live.get(n);
      NativeFloats p = params.get(n);
      if (p == null || p.array != a) {
        if (a.dataType() != DataType.FLOAT) {
          throw new IllegalStateException("the hand-written GPT step needs FLOAT parameters, '" + n + "' is "
              + a.dataType());
        }
        params.put(n, NativeFloats.wrap(a));
      }
    }
  }

  /** The gradient arrays by parameter name (reused: valid until the next call). */
  Map<String, INDArray> gradients() {
    return gradArrays;
  }

  /** Nanoseconds spent in BLAS products so far, and how many products. */
  long gemmNanos() {
    return blas.nanos() + attentionBlas.nanos();
  }

  /** The part of {@link #gemmNanos()} spent in attention's per-head products. */
  long attentionGemmNanos() {
    return attentionBlas.nanos();
  }

  /** Time phases and products in this thread's CPU time rather than wall time. */
  void useCpuClock(boolean on) {
    blas.useCpuTime(on);
    attentionBlas.useCpuTime(on);
  }

  long gemmCalls() {
    return blas.calls() + attentionBlas.calls();
  }

  /** Nanoseconds spent so far in {@code phase}, forward and backward (BLAS products included). */
  long phaseNanos(Phase phase) {
    return phaseNanos[phase.ordinal()];
  }

  /** Charges the time since the previous mark to {@code phase}. */
  private void charge(Phase phase) {
    long now = blas.now();
    phaseNanos[phase.ordinal()] += now - mark;
    mark = now;
  }

  /**
   * Computes this kernel's share of the whole batch's mean cross-entropy of predicting {@code y}
   * from {@code x} and fills {@link #gradients()}. The token ids are the whole batch's, checked
   * ({@link #ids}) and flattened row by row; this kernel's sequences start at sequence {@code
   * first}.
   */
  double forwardBackward(int[] xIds, int[] yIds, int first) {
    mark = blas.now();
    tokens = Arrays.copyOfRange(xIds, first * time, first * time + rows);
    targets = Arrays.copyOfRange(yIds, first * time, first * time + rows);
    embed();
    charge(Phase.EMBEDDING);
    for (Layer l : layers) {
      blockForward(l);
    }
    lnf.forward(x, vec("lnf/g"), config.bias() ? vec("lnf/b") : null, hf);
    charge(Phase.LAYER_NORM);
    head();
    double loss = crossEntropy();
    headBackward();
    charge(Phase.HEAD_AND_LOSS);
    float[] dg = new float[width];
    float[] db = config.bias() ? new float[width] : null;
    lnf.backward(dWide, vec("lnf/g"), dx, false, dg, db);
    putVec("lnf/g", dg);
    if (db != null) putVec("lnf/b", db);
    charge(Phase.LAYER_NORM);
    for (int i = layers.length - 1; i >= 0; i--) {
      blockBackward(layers[i]);
    }
    embedBackward();
    charge(Phase.EMBEDDING);
    return loss;
  }

  /** Token ids {@code [batch, time]}, checked against the shape and the vocabulary, row by row. */
  static int[] ids(INDArray a, String name, int batch, int time, int vocab) {
    if (a.rank() != 2 || a.size(0) != batch || a.size(1) != time) {
      throw new IllegalArgumentException("expected '" + name + "' token ids of shape [" + batch + ", " + time
          + "], got " + Arrays.toString(a.shape()));
    }
    int[] ids = a.dup('c').reshape((long) batch * time).toIntVector();
    for (int id : ids) {
      if (id < 0 || id >= vocab) {
        throw new IllegalArgumentException("token id " + id + " in '" + name + "' is outside the vocabulary 0.."
            + (vocab - 1));
      }
    }
    return ids;
  }

  // ---- forward ----

  private void embed() {
    NativeFloats wte = params.get("wte");
    NativeFloats wpe = params.get("wpe");
    float[] row = new float[width];
    float[] pos = new float[width];
    for (int n = 0; n < rows; n++) {
      int t = n % time;
      wte.get(tokens[n] * width, row, width);
      if (wpe != null) {
        wpe.get(t * width, pos, width);
      } else {
        System.arraycopy(sinusoids, t * width, pos, 0, width);
      }
      for (int c = 0; c < width; c++) row[c] += pos[c];
      x.put(n * width, row, width);
    }
  }

  private void blockForward(Layer l) {
    boolean bias = config.bias();
    l.ln1.forward(x, vec(l.name + "/ln1/g"), bias ? vec(l.name + "/ln1/b") : null, l.a);
    charge(Phase.LAYER_NORM);
    linear(l.a, width, l.name + "/attn/qkv", l.qkv, 3 * width, false);
    charge(Phase.LINEAR);
    attention.forward(l.qkv, l.probs, l.y);
    charge(Phase.ATTENTION);
    linear(l.y, width, l.name + "/attn/proj", x, width, true);
    charge(Phase.LINEAR);
    l.ln2.forward(x, vec(l.name + "/ln2/g"), bias ? vec(l.name + "/ln2/b") : null, l.m);
    charge(Phase.LAYER_NORM);
    linear(l.m, width, l.name + "/mlp/fc", l.f, hidden, false);
    charge(Phase.LINEAR);
    gelu(l);
    charge(Phase.GELU);
    linear(l.g, hidden, l.name + "/mlp/proj", x, width, true);
    charge(Phase.LINEAR);
  }

  /** {@code out = in @ W + b}, or {@code out += in @ W + b} for a residual branch. */
  private void linear(NativeFloats in, int inDim, String name, NativeFloats out, int outDim, boolean accumulate) {
    float beta = accumulate ? 1f : 0f;
    NativeFloats b = params.get(name + "/b");
    if (b != null) {
      // The bias as a rank-1 product ones[N, 1] @ b[1, out]: BLAS writes it at memory speed.
      blas.gemm(false, false, rows, outDim, 1, 1f, ones, 0, 1, b, 0, outDim, beta, out, 0, outDim);
      beta = 1f;
    }
    blas.gemm(false, false, rows, outDim, inDim, 1f, in, 0, inDim, params.get(name + "/w"), 0, outDim, beta, out, 0,
        outDim);
  }

  /** {@code g = f * sigmoid(1.702 f)}, keeping the derivative {@code s + 1.702 f s (1 - s)}. */
  private void gelu(Layer l) {
    float[] in = new float[hidden];
    float[] out = new float[hidden];
    for (int n = 0; n < rows; n++) {
      int o = n * hidden;
      l.f.get(o, in, hidden);
      FastGelu.forward(in, out, l.geluGrad[n], hidden);
      l.g.put(o, out, hidden);
    }
  }

  private void head() {
    if (config.tieWeights()) {
      blas.gemm(false, true, rows, vocab, width, 1f, hf, 0, width, params.get("wte"), 0, width, 0f, logits, 0, vocab);
    } else {
      blas.gemm(false, false, rows, vocab, width, 1f, hf, 0, width, params.get("head/w"), 0, vocab, 0f, logits, 0,
          vocab);
    }
  }

  /**
   * The loss summed over this kernel's tokens and divided by {@code lossRows}; replaces the logits
   * by their gradient {@code (softmax - onehot) / lossRows}.
   */
  private double crossEntropy() {
    float[] l = new float[vocab];
    double loss = 0;
    double invN = 1.0 / lossRows;
    for (int n = 0; n < rows; n++) {
      logits.get(n * vocab, l, vocab);
      float max = Float.NEGATIVE_INFINITY;
      for (float v : l) max = Math.max(max, v);
      double sum = 0;
      for (float v : l) sum += Math.exp(v - max);
      loss += max + Math.log(sum) - l[targets[n]];
      for (int c = 0; c < vocab; c++) {
        l[c] = (float) (Math.exp(l[c] - max) / sum * invN);
      }
      l[targets[n]] -= (float) invN;
      logits.put(n * vocab, l, vocab);
    }
    return loss * invN;
  }

  // ---- backward ----

  /** dlogits -> gradient of the head weights and of the final layer norm output (into dWide). */
  private void headBackward() {
    if (config.tieWeights()) {
      NativeFloats wte = params.get("wte");
      blas.gemm(true, false, vocab, width, rows, 1f, logits, 0, vocab, hf, 0, width, 0f, grads.get("wte"), 0, width);
      blas.gemm(false, false, rows, width, vocab, 1f, logits, 0, vocab, wte, 0, width, 0f, dWide, 0, width);
    } else {
      NativeFloats w = params.get("head/w");
      blas.gemm(true, false, width, vocab, rows, 1f, hf, 0, width, logits, 0, vocab, 0f, grads.get("head/w"), 0,
          vocab);
      blas.gemm(false, true, rows, width, vocab, 1f, logits, 0, vocab, w, 0, vocab, 0f, dWide, 0, width);
      grads.get("wte").fill(0f);
    }
  }

  private void blockBackward(Layer l) {
    boolean bias = config.bias();
    linearBackward(l.g, hidden, l.name + "/mlp/proj", dx, width, dHidden);
    charge(Phase.LINEAR);
    geluBackward(l);
    charge(Phase.GELU);
    linearBackward(l.m, width, l.name + "/mlp/fc", dHidden, hidden, dWide);
    charge(Phase.LINEAR);
    layerNormBackward(l.ln2, l.name + "/ln2", bias);
    charge(Phase.LAYER_NORM);
    linearBackward(l.y, width, l.name + "/attn/proj", dx, width, dWide);
    charge(Phase.LINEAR);
    attention.backward(l.qkv, l.probs, dWide, dqkv);
    charge(Phase.ATTENTION);
    linearBackward(l.a, width, l.name + "/attn/qkv", dqkv, 3 * width, dWide);
    charge(Phase.LINEAR);
    layerNormBackward(l.ln1, l.name + "/ln1", bias);
    charge(Phase.LAYER_NORM);
  }

  /** Gradients of {@code out = in @ W + b} given {@code dOut}: dW, db (column sums) and {@code dIn}. */
  private void linearBackward(NativeFloats in, int inDim, String name, NativeFloats dOut, int outDim,
      NativeFloats dIn) {
    NativeFloats db = grads.get(name + "/b");
    if (db != null) {
      blas.gemm(false, false, 1, outDim, rows, 1f, ones, 0, rows, dOut, 0, outDim, 0f, db, 0, outDim);
    }
    blas.gemm(true, false, inDim, outDim, rows, 1f, in, 0, inDim, dOut, 0, outDim, 0f, grads.get(name + "/w"), 0,
        outDim);
    blas.gemm(false, true, rows, inDim, outDim, 1f, dOut, 0, outDim, params.get(name + "/w"), 0, outDim, 0f, dIn, 0,
        inDim);
  }

  private void geluBackward(Layer l) {
    float[] d = new float[hidden];
    for (int n = 0; n < rows; n++) {
      int o = n * hidden;
      dHidden.get(o, d, hidden);
      float[] grad = l.geluGrad[n];
      // Same index on both sides (a row array each): an offset here keeps C2 from vectorizing.
      for (int c = 0; c < hidden; c++) d[c] *= grad[c];
      dHidden.put(o, d, hidden);
    }
  }

  /** Adds the layer norm's input gradient (its output gradient is in dWide) to dx. */
  private void layerNormBackward(LayerNormKernel ln, String name, boolean bias) {
    float[] dg = new float[width];
    float[] db = bias ? new float[width] : null;
    ln.backward(dWide, vec(name + "/g"), dx, true, dg, db);
    putVec(name + "/g", dg);
    if (db != null) putVec(name + "/b", db);
  }

  /** Scatter-adds the residual gradient into the embedding rows (and learned position rows). */
  private void embedBackward() {
    NativeFloats dwte = grads.get("wte");
    NativeFloats dwpe = grads.get("wpe");
    if (dwpe != null) dwpe.fill(0f);
    float[] row = new float[width];
    float[] acc = new float[width];
    for (int n = 0; n < rows; n++) {
      dx.get(n * width, row, width);
      addRow(dwte, tokens[n] * width, row, acc);
      if (dwpe != null) addRow(dwpe, (n % time) * width, row, acc);
    }
  }

  private void addRow(NativeFloats target, int off, float[] row, float[] scratch) {
    target.get(off, scratch, width);
    for (int c = 0; c < width; c++) scratch[c] += row[c];
    target.put(off, scratch, width);
  }

  private float[] vec(String name) {
    return params.get(name).toArray();
  }

  private void putVec(String name, float[] v) {
    grads.get(name).put(0, v, v.length);
  }
}
