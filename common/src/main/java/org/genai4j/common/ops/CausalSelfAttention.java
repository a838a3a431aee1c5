package org.genai4j.common.ops;

import java.util.Arrays;

/**
 * Causal multi-head self-attention on a fused q, k, v input {@code [B, T, 3C]} (the output of one
 * {@link Linear}; the output projection is another {@code Linear} on the result): per sequence and
 * head, {@code Y = dropout(softmax(Q K^T / sqrt(d) + M)) V}, where Q, K, V are the head's {@code d
 * = C / heads} columns of the q, k and v thirds, M hides the future ({@code -inf} above the
 * diagonal), and Y goes to the head's columns of the output {@code [B, T, C]}: nanoGPT's {@code
 * CausalSelfAttention} between its {@code c_attn} and {@code c_proj}.
 *
 * <p>Every head is a few BLAS products on strided sub-matrices of the input, addressed by offset
 * and leading dimension (no copies, no transposes): {@code S = Q K^T} and {@code Y = P V} forward;
 * {@code dP = dY V^T}, {@code dV = P^T dY}, {@code dQ = dS K}, {@code dK = dS^T Q} backward. The
 * softmax and its gradient are Java loops over blocks of rows copied into arrays, the masked part
 * of each row set to 0 rather than computed, exponentials by {@link FastMath#exp} and sums with
 * four accumulators. Training keeps the probabilities {@code [B, heads, T, T]} for the backward
 * pass; inference uses one {@code [T, T]} scratch block.
 *
 * <p>Attention dropout (PyTorch's {@code attn_dropout}) zeroes probabilities after the softmax
 * with a mask drawn per sequence from {@link StepContext#random}{@code (stream, b)}, {@code b} the
 * sequence's index in the shard, so sharding does not change it ({@link DropoutMask}). The mask is
 * not stored: the backward pass draws it again, and with {@code P'} the dropped probabilities
 * uses {@code dS = (P' * dP' - P * rowsum(P' * dP')) / sqrt(d)}.
 *
 * <p>Decoding with a {@link KvCache}: {@link #forward(StepContext, Tensor, KvCache, int, int)}
 * takes the new tokens' q, k, v at position {@code pos}, appends their keys and values to the
 * cache and attends over positions {@code 0 .. pos + Tnew} causally, with the same softmax and
 * products as the training pass.
 *
 * <p>Grouped-query attention ({@link Builder#kvHeads}, Llama 2/3, Mistral): fewer key/value heads
 * than query heads, each shared by {@code heads / kvHeads} consecutive query heads; the input is
 * then {@code [B, T, (heads + 2 kvHeads) d]} (q, then k, then v) and a cache holds {@code kvHeads
 * d} per position. The key and value gradients of a group's heads add up (the products' beta).
 *
 * <p>Rotary position embedding ({@link Builder#rotary}, Llama): the queries and keys are rotated
 * by their positions ({@link RotaryEmbedding}) before the products. The op rotates a copy of its
 * input (the projection that made it keeps its own output), a cache stores rotated keys, and the
 * backward pass rotates the queries' and keys' gradients back (a rotation's transpose).
 *
 * <p>Built with {@link #builder} (or the shortcut constructors); callers size the q, k, v
 * projection with {@link #inputWidth()} and a cache with {@link #kvWidth()} or {@link #newCache},
 * so options do not change them.
 */
public final class CausalSelfAttention implements Layer {
  /** Floats of a block of rows copied into Java arrays for the softmax loops. */
  private static final int BLOCK = 16384;

  private final int heads;
  private final int kvHeads;
  private final int headSize;
  private final int blockSize;
  private final int qWidth;
  private final int kvWidth;
  private final int inWidth;
  private final float scale;
  private final DropoutMask dropout;
  private final long stream;
  /** Rotary position embedding of queries and keys, or null. */
  private final RotaryEmbedding rotary;
  private final float[] kvRow;
  private float[] a = new float[0];
  private float[] d = new float[0];
  private float[] m = new float[0];
  private long[] keys = new long[0];

  private Tensor qkv;
  /** The input with rotated queries and keys, when rotary. */
  private Tensor rotated;
  private int batch;
  private int time;
  /** Whether the last forward pass kept its probabilities for a backward pass, and dropped some. */
  private boolean kept;
  private boolean dropped;
  private Tensor y;
  private Tensor probs;
  private Tensor scratch;
  private Tensor dropBlock;
  private Tensor dS;
  private Tensor dx;

  /** Settings of a {@link CausalSelfAttention}. */
  public static final class Builder {
    private final int heads;
    private final int width;
    private final int blockSize;
    private int kvHeads;
    private double dropout;
    private long stream;
    private RotaryEmbedding rotary;

    private Builder(int heads, int width, int blockSize) {
      this.heads = heads;
      this.width = width;
      this.blockSize = blockSize;
      this.kvHeads = heads;
    }

    /** Grouped-query attention: {@code kvHeads} key/value heads (a divisor of the head count; default: one per head). */
    public Builder kvHeads(int kvHeads) {
      this.kvHeads = kvHeads;
      return this;
    }

    /** Dropout with probability {@code p} on the attention probabilities, drawn from random stream {@code stream}. */
    public Builder dropout(double p, long stream) {
      this.dropout = p;
      this.stream = stream;
      return this;
    }

    /**
     * Rotates queries and keys by their positions with {@code rotary}, whose head size must be this
     * attention's and whose table must cover the block size (one table may serve every layer).
     */
    public Builder rotary(RotaryEmbedding rotary) {
      this.rotary = rotary;
      return this;
    }

    public CausalSelfAttention build() {
      return new CausalSelfAttention(this);
    }
  }

  /**
   * Attention with {@code heads} heads over a model width {@code width} (the queries' and the
   * output's; keys and values too unless grouped), sequences of at most {@code blockSize}.
   */
  public static Builder builder(int heads, int width, int blockSize) {
    return new Builder(heads, width, blockSize);
  }

  /** Attention without dropout. */
  public CausalSelfAttention(int heads, int width, int blockSize) {
    this(builder(heads, width, blockSize));
  }

  /** Attention with dropout {@code p} on the probabilities, from random stream {@code stream}. */
  public CausalSelfAttention(int heads, int width, int blockSize, double dropout, long stream) {
    this(builder(heads, width, blockSize).dropout(dropout, stream));
  }

  private CausalSelfAttention(Builder b) {
    if (b.heads < 1 || b.width < 1 || b.width % b.heads != 0) {
      throw new IllegalArgumentException("causal self-attention: width " + b.width + " must be a positive multiple of"
          + " the head count " + b.heads);
    }
    if (b.kvHeads < 1 || b.heads % b.kvHeads != 0) {
      throw new IllegalArgumentException("causal self-attention: " + b.kvHeads + " key/value heads must divide the "
          + b.heads + " heads");
    }
    if (b.blockSize < 1) {
      throw new IllegalArgumentException("causal self-attention: block size must be positive, got " + b.blockSize);
    }
    heads = b.heads;
    kvHeads = b.kvHeads;
    headSize = b.width / b.heads;
    blockSize = b.blockSize;
    qWidth = heads * headSize;
    kvWidth = kvHeads * headSize;
    inWidth = qWidth + 2 * kvWidth;
    // The float of 1/sqrt(d), as PyTorch's scaled_dot_product_attention.
    scale = (float) (1.0 / Math.sqrt(headSize));
    dropout = new DropoutMask(b.dropout, "causal self-attention");
    stream = b.stream;
    kvRow = new float[kvWidth];
    rotary = b.rotary;
    if (rotary != null && (rotary.headSize() != headSize || rotary.maxPositions() < blockSize)) {
      throw new IllegalArgumentException("causal self-attention: a rotary embedding for heads of " + rotary.headSize()
          + " and " + rotary.maxPositions() + " positions does not fit heads of " + headSize + " and block size "
          + blockSize);
    }
  }

  public int heads() {
    return heads;
  }

  /** Key and value heads ({@link #heads()} unless grouped-query). */
  public int kvHeads() {
    return kvHeads;
  }

  public int headSize() {
    return headSize;
  }

  public int blockSize() {
    return blockSize;
  }

  /** The input's width: q, k and v, {@code (heads + 2 kvHeads) * headSize}. */
  public int inputWidth() {
    return inWidth;
  }

  /** The output's width, {@code heads * headSize}. */
  public int outputWidth() {
    return qWidth;
  }

  /** The width of the keys (and of the values) per position, for a {@link KvCache}. */
  public int kvWidth() {
    return kvWidth;
  }

  public double dropout() {
    return dropout.p();
  }

  /** The rotary position embedding, or null. */
  public RotaryEmbedding rotary() {
    return rotary;
  }

  /** An empty cache for {@code layers} layers like this one and {@code batch} sequences of up to the block size. */
  public KvCache newCache(int layers, int batch) {
    return new KvCache(layers, batch, blockSize, kvWidth);
  }

  /** The attention of {@code x = [B, T, inputWidth()]}, {@code T <= blockSize}: {@code [B, T, outputWidth()]}. */
  @Override
  public Tensor forward(StepContext ctx, Tensor x) {
    checkInput(x);
    int b0 = x.dim(0);
    int t = x.dim(1);
    if (t > blockSize) {
      throw new IllegalArgumentException("causal self-attention: " + t + " positions exceed the block size "
          + blockSize);
    }
    boolean train = ctx.training();
    x = rotate(x, b0, t, 0);
    qkv = x;
    batch = b0;
    time = t;
    kept = train;
    dropped = train && dropout.active();
    y = Tensor.ensure(y, b0, t, qWidth);
    int tt = t * t;
    if (train) {
      probs = Tensor.ensure(probs, b0, heads, t, t);
    } else {
      scratch = flat(scratch, tt);
    }
    if (dropped) {
      dropBlock = flat(dropBlock, tt);
      if (keys.length < b0) {
        keys = new long[b0];
      }
      for (int s = 0; s < b0; s++) {
        keys[s] = DropoutMask.key(ctx, stream, s);
      }
    }
    int group = heads / kvHeads;
    for (int s = 0; s < b0; s++) {
      int row = s * t * inWidth;
      for (int h = 0; h < heads; h++) {
        int kv = row + qWidth + (h / group) * headSize;
        Tensor p = train ? probs : scratch;
        int pOff = train ? (s * heads + h) * tt : 0;
        attend(x, row + h * headSize, inWidth, x, kv, inWidth, x, kv + kvWidth, inWidth, t, t, 0, p, pOff,
            dropped ? keys[s] : 0L, h * tt, s * t * qWidth + h * headSize);
      }
    }
    return y;
  }

  /**
   * Decoding: the attention of new tokens {@code x = [B, Tnew, inputWidth()]} at positions {@code
   * pos .. pos + Tnew - 1}, whose keys and values are appended to layer {@code layer} of {@code
   * cache} (at {@code pos <= cache.length()}), over positions {@code 0 .. pos + Tnew - 1}:
   * {@code [B, Tnew, outputWidth()]}. Inference only: no dropout, nothing kept for a backward pass.
   */
  public Tensor forward(StepContext ctx, Tensor x, KvCache cache, int layer, int pos) {
    checkInput(x);
    int b0 = x.dim(0);
    int tn = x.dim(1);
    if (cache.batch() != b0 || cache.width() != kvWidth) {
      throw new IllegalArgumentException("causal self-attention: a KV cache of " + cache.batch() + " sequences of width "
          + cache.width() + " does not fit " + b0 + " sequences of width " + kvWidth);
    }
    if (pos < 0 || pos > cache.length()) {
      throw new IllegalArgumentException("causal self-attention: position " + pos + " is not within the KV cache's "
          + cache.length() + " filled positions");
    }
    int total = pos + tn;
    if (total > cache.capacity() || total > blockSize) {
      throw new IllegalArgumentException("causal self-attention: positions [" + pos + ", " + total + ") exceed the KV"
          + " cache's capacity " + cache.capacity() + " or the block size " + blockSize);
    }
    qkv = null;
    kept = false;
    dropped = false;
    x = rotate(x, b0, tn, pos);
    Tensor keysT = cache.keys(layer);
    Tensor valuesT = cache.values(layer);
    int cap = cache.capacity();
    for (int s = 0; s < b0; s++) {
      for (int t = 0; t < tn; t++) {
        int src = (s * tn + t) * inWidth + qWidth;
        int dst = (s * cap + pos + t) * kvWidth;
        x.read(src, kvRow, 0, kvWidth);
        keysT.write(dst, kvRow, 0, kvWidth);
        x.read(src + kvWidth, kvRow, 0, kvWidth);
        valuesT.write(dst, kvRow, 0, kvWidth);
      }
    }
    y = Tensor.ensure(y, b0, tn, qWidth);
    // Sized for the cache's capacity, not this step's length, so decoding token by token allocates once.
    scratch = flat(scratch, tn * cap);
    int group = heads / kvHeads;
    for (int s = 0; s < b0; s++) {
      for (int h = 0; h < heads; h++) {
        int kv = s * cap * kvWidth + (h / group) * headSize;
        attend(x, s * tn * inWidth + h * headSize, inWidth, keysT, kv, kvWidth, valuesT, kv, kvWidth, tn, total, pos,
            scratch, 0, 0L, 0, s * tn * qWidth + h * headSize);
      }
    }
    return y;
  }

  /**
   * One head: {@code P = softmax(scale Q K^T)} over keys {@code j <= past + i} into {@code p} at
   * {@code pOff} ({@code [tq, tk]}), then {@code Y = P' V} into the output at {@code yOff}, where
   * {@code P'} is P with this head's dropout when the pass drops.
   */
  private void attend(Tensor qs, int qOff, int ldq, Tensor ks, int kOff, int ldk, Tensor vs, int vOff, int ldv, int tq,
      int tk, int past, Tensor p, int pOff, long key, int counterBase, int yOff) {
    Blas.gemm(false, true, tq, tk, headSize, scale, qs, qOff, ldq, ks, kOff, ldk, 0f, p, pOff, tk);
    ensureArrays(tk);
    int per = rowsPerBlock(tq, tk);
    for (int i0 = 0; i0 < tq; i0 += per) {
      int n = Math.min(per, tq - i0);
      int len = n * tk;
      p.read(pOff + i0 * tk, a, 0, len);
      if (dropped) {
        // One draw for the block (element (i, j) of the head is number counterBase + i * tk + j).
        dropout.fill(key, counterBase + i0 * tk, m, 0, len);
      }
      for (int r = 0; r < n; r++) {
        int i = i0 + r;
        int o = r * tk;
        int end = o + Math.min(tk, past + i + 1);
        float max = RowMath.max(a, o, end);
        float inv = 1f / RowMath.expShiftedSum(a, max, o, end);
        for (int j = o; j < end; j++) {
          a[j] *= inv;
        }
        Arrays.fill(a, end, o + tk, 0f);
        if (dropped) {
          for (int j = o; j < end; j++) {
            m[j] *= a[j];
          }
          Arrays.fill(m, end, o + tk, 0f);
        }
      }
      p.write(pOff + i0 * tk, a, 0, len);
      if (dropped) {
        dropBlock.write(i0 * tk, m, 0, len);
      }
    }
    Tensor pv = dropped ? dropBlock : p;
    int pvOff = dropped ? 0 : pOff;
    Blas.gemm(false, false, tq, headSize, tk, 1f, pv, pvOff, tk, vs, vOff, ldv, 0f, y, yOff, qWidth);
  }

  @Override
  public Tensor backward(StepContext ctx, Tensor dy) {
    if (!kept) {
      throw new IllegalStateException("causal self-attention: backward needs a forward pass in training mode"
          + " (without a KV cache)");
    }
    int t = time;
    int tt = t * t;
    if (dy.length() != batch * t * qWidth) {
      throw new IllegalArgumentException("causal self-attention: output gradient " + dy + " does not fit ["
          + batch + ", " + t + ", " + qWidth + "]");
    }
    dx = Tensor.ensure(dx, batch, t, inWidth);
    dS = flat(dS, tt);
    ensureArrays(t);
    int group = heads / kvHeads;
    for (int s = 0; s < batch; s++) {
      int row = s * t * inWidth;
      for (int h = 0; h < heads; h++) {
        int q = row + h * headSize;
        int k = row + qWidth + (h / group) * headSize;
        int v = k + kvWidth;
        int yOff = s * t * qWidth + h * headSize;
        int pOff = (s * heads + h) * tt;
        // The first query head of a key/value head writes its gradient, the others of its group add to it.
        float kvBeta = h % group == 0 ? 0f : 1f;
        // dP' = dY V^T
        Blas.gemm(false, true, t, t, headSize, 1f, dy, yOff, qWidth, qkv, v, inWidth, 0f, dS, 0, t);
        softmaxBackward(pOff, t, dropped ? keys[s] : 0L, h * tt);
        // dV = P'^T dY
        Tensor pv = dropped ? dropBlock : probs;
        Blas.gemm(true, false, t, headSize, t, 1f, pv, dropped ? 0 : pOff, t, dy, yOff, qWidth, kvBeta, dx, v, inWidth);
        // dQ = dS K, dK = dS^T Q
        Blas.gemm(false, false, t, headSize, t, 1f, dS, 0, t, qkv, k, inWidth, 0f, dx, q, inWidth);
        Blas.gemm(true, false, t, headSize, t, 1f, dS, 0, t, qkv, q, inWidth, kvBeta, dx, k, inWidth);
      }
    }
    if (rotary != null) {
      // q and k were rotated: their gradients rotate back (queries then keys, side by side).
      rotary.rotate(dx, batch, t, inWidth, 0, heads + kvHeads, 0, true);
    }
    return dx;
  }

  /**
   * {@code x} itself without a rotary embedding, else a copy of it whose queries and keys (the
   * {@code heads + kvHeads} heads of the first columns) are rotated to positions {@code pos ..}.
   */
  private Tensor rotate(Tensor x, int b0, int t, int pos) {
    if (rotary == null) {
      return x;
    }
    rotated = Tensor.ensure(rotated, b0, t, inWidth);
    rotated.copyFrom(x);
    rotary.rotate(rotated, b0, t, inWidth, 0, heads + kvHeads, pos, false);
    return rotated;
  }

  /**
   * Turns {@code dS} (holding {@code dP'}) into the scores' gradient, row by row over the causal
   * part; with dropout, also draws the mask again and writes {@code P'} to the drop block.
   */
  private void softmaxBackward(int pOff, int t, long key, int counterBase) {
    int per = rowsPerBlock(t, t);
    float sc = scale;
    for (int i0 = 0; i0 < t; i0 += per) {
      int n = Math.min(per, t - i0);
      int len = n * t;
      probs.read(pOff + i0 * t, a, 0, len);
      dS.read(i0 * t, d, 0, len);
      if (dropped) {
        dropout.fill(key, counterBase + i0 * t, m, 0, len);
      }
      for (int r = 0; r < n; r++) {
        int i = i0 + r;
        int o = r * t;
        int end = o + i + 1;
        if (dropped) {
          for (int j = o; j < end; j++) {
            m[j] *= a[j];
          }
          Arrays.fill(m, end, o + t, 0f);
          float dot = RowMath.dot(m, d, o, end);
          for (int j = o; j < end; j++) {
            d[j] = (m[j] * d[j] - a[j] * dot) * sc;
          }
        } else {
          float dot = RowMath.dot(a, d, o, end);
          for (int j = o; j < end; j++) {
            d[j] = a[j] * (d[j] - dot) * sc;
          }
        }
        Arrays.fill(d, end, o + t, 0f);
      }
      dS.write(i0 * t, d, 0, len);
      if (dropped) {
        dropBlock.write(i0 * t, m, 0, len);
      }
    }
  }

  private void checkInput(Tensor x) {
    if (x.rank() != 3 || x.dim(2) != inWidth) {
      throw new IllegalArgumentException("causal self-attention: input must be [batch, time, " + inWidth
          + "] (q, k, v of " + heads + ", " + kvHeads + ", " + kvHeads + " heads of " + headSize + "), got " + x);
    }
  }

  private static int rowsPerBlock(int rows, int rowLength) {
    return Math.max(1, Math.min(rows, BLOCK / Math.max(1, rowLength)));
  }

  private void ensureArrays(int rowLength) {
    int n = Math.max(BLOCK, rowLength);
    if (a.length < n) {
      a = new float[n];
      d = new float[n];
      m = new float[n];
    }
  }

  /** {@code t} when it holds at least {@code n} elements, else a new flat tensor of {@code n}. */
  private static Tensor flat(Tensor t, int n) {
    return t != null && t.length() >= n ? t : Tensor.zeros(n);
  }
}
