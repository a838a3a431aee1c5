package org.genai4j.llm.model;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.genai4j.common.ops.Activation;
import org.genai4j.common.ops.CausalSelfAttention;
import org.genai4j.common.ops.Dropout;
import org.genai4j.common.ops.Embedding;
import org.genai4j.common.ops.Init;
import org.genai4j.common.ops.KvCache;
import org.genai4j.common.ops.Layer;
import org.genai4j.common.ops.LayerNorm;
import org.genai4j.common.ops.Linear;
import org.genai4j.common.ops.Params;
import org.genai4j.common.ops.RmsNorm;
import org.genai4j.common.ops.RotaryEmbedding;
import org.genai4j.common.ops.SoftmaxCrossEntropy;
import org.genai4j.common.ops.StepContext;
import org.genai4j.common.ops.SwiGlu;
import org.genai4j.common.ops.Tensor;
import org.genai4j.common.train.Batch;
import org.genai4j.common.train.StepLoss;
import org.genai4j.llm.train.TokenBatches;

/**
 * A GPT (decoder-only Transformer) written once from ops, as nanoGPT's {@code model.py}: token
 * embedding plus positions, dropout, {@code nLayer} pre-norm {@link Block}s, a final norm and a
 * head tied to the token embedding (or not), with GPT-2's arithmetic (layer norm eps 1e-5, tanh
 * GELU, GPT-2's initialization). The same forward pass serves training ({@link #trainStep}),
 * evaluation and generation (an inference {@link StepContext}, optionally with a {@link KvCache}).
 *
 * <p>Parameters carry nanoGPT's state-dict names ({@code transformer.wte.weight}, {@code
 * transformer.h.0.attn.c_attn.weight} {@code [3C, C]}, ..., {@code lm_head.weight} only when the
 * head is untied), so a checkpoint loads into nanoGPT. A configuration may swap layer norm for RMS
 * norm and the GELU MLP for SwiGLU ({@code mlp.c_fc} then produces gate and up, {@code 2H} rows),
 * learned positions for rotary ones (one {@link RotaryEmbedding} table shared by every layer), and
 * give fewer key/value heads than query heads ({@code attn.c_attn} then has {@code (nHead + 2
 * nKvHead) d} rows: q, k, v): a Llama, whose Hugging Face tensors map onto these names.
 *
 * <p>Not thread-safe: its ops own their buffers. The trainer runs one copy per shard ({@link
 * org.genai4j.common.train.Replicas}); returned tensors are valid until the next call.
 */
public final class Gpt {
  /** GPT-2's initialization: weights from N(0, 0.02^2). */
  static final double INIT_STD = 0.02;

  private final GptConfig config;
  private final Params params;
  private final Embedding wte;
  /** Learned positions, or null. */
  private final Embedding wpe;
  /** The fixed sinusoids {@code [blockSize, C]}, or null. */
  private final Tensor sinusoids;
  private final Dropout drop;
  private final Block[] h;
  private final Layer lnF;
  private final Linear lmHead;
  private final SoftmaxCrossEntropy crossEntropy = new SoftmaxCrossEntropy().gradientInLogits();
  private Tensor logits;
  private int[] inputs = new int[0];
  private int[] targets = new int[0];

  /**
   * Creates the model's parameters in {@code params}: fresh ones ({@code Params.init(seed)}), zeros
   * to load a checkpoint into ({@code Params.forLoading()}), or a replica's, sharing another copy's
   * values.
   */
  public Gpt(GptConfig config, Params params) {
    this.config = config;
    this.params = params;
    int c = config.nEmbd();
    Init normal = Init.normal(INIT_STD);
    wte = new Embedding(params, "transformer.wte", config.vocabSize(), c, normal);
    PositionalEncoding positional = config.positional();
    wpe = positional == PositionalEncoding.LEARNED
        ? new Embedding(params, "transformer.wpe", config.blockSize(), c, normal) : null;
    sinusoids = positional == PositionalEncoding.SINUSOIDAL
        ? Tensor.of(sinusoids(config.blockSize(), c), config.blockSize(), c) : null;
    RotaryEmbedding rotary = positional == PositionalEncoding.ROTARY
        ? new RotaryEmbedding(config.headSize(), config.blockSize(), config.ropeTheta(), config.ropeLayout()) : null;
    drop = new Dropout(config.dropout(), 0);
    h = new Block[config.nLayer()];
    for (int i = 0; i < h.length; i++) {
      h[i] = new Block(config, params, "transformer.h." + i, 1 + 3L * i, rotary);
    }
    lnF = norm(config, params, "transformer.ln_f");
    lmHead = config.tieWeights()
        ? new Linear(wte.weight(), null)
        : new Linear(params, "lm_head", c, config.vocabSize(), false, normal, Init.zeros());
  }

  public GptConfig config() {
    return config;
  }

  /** The linear layers of a block that can take a low-rank adapter, by their names inside the block. */
  public static final List<String> ADAPTABLE = List.of("attn.c_attn", "attn.c_proj", "mlp.c_fc",
      "mlp.c_proj");

  /**
   * Adds a LoRA adapter of rank {@code rank} and scale {@code alpha / rank} to the linear layers of
   * every block that {@code targets} select ({@link Linear#withLowRank}), its matrices created in
   * this model's parameters ({@code transformer.h.N.attn.c_attn.lora_A}, ...); returns how many
   * values they add. A target is {@code attn} (both attention layers), {@code mlp} (both MLP layers),
   * a layer's name in the block ({@code attn.c_attn}) or its last part ({@code c_fc}; {@code c_proj}
   * is both projections). A target that selects no layer, or a rank above a selected layer's width,
   * is refused with a one-line error naming the flag, before any adapter is added.
   */
  public long addLowRank(int rank, double alpha, Set<String> targets) {
    Set<String> chosen = checkLowRank(config, rank, targets);
    long before = params.count();
    for (Block b : h) {
      for (String n : ADAPTABLE) {
        if (chosen.contains(n)) {
          b.linear(n).withLowRank(params, rank, alpha);
        }
      }
    }
    return params.count() - before;
  }

  /**
   * The block layers {@code targets} select in a model of {@code config} ({@link #addLowRank}'s
   * rules), checked without building the model: a one-line error naming {@code --lora-targets} for
   * a target that selects no layer, or {@code --lora-rank} for a rank above a selected layer's width.
   */
  public static Set<String> checkLowRank(GptConfig config, int rank, Set<String> targets) {
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("--lora-targets must name attn, mlp or both");
    }
    Set<String> chosen = new LinkedHashSet<>();
    for (String t : new TreeSet<>(targets)) {
      List<String> layers = ADAPTABLE.stream().filter(n -> selects(t, n)).toList();
      if (layers.isEmpty()) {
        throw new IllegalArgumentException("--lora-targets '" + t + "' selects no linear layer of this model; its"
            + " blocks have " + String.join(", ", ADAPTABLE) + " (or attn, mlp for both of a kind)");
      }
      chosen.addAll(layers);
    }
    for (String n : ADAPTABLE) {
      int[] s = weightShape(config, n);
      if (chosen.contains(n) && rank > Math.min(s[0], s[1])) {
        throw new IllegalArgumentException("--lora-rank " + rank + " exceeds the width of transformer.h.0." + n
            + ".weight [" + s[0] + ", " + s[1] + "]: at most " + Math.min(s[0], s[1]));
      }
    }
    return chosen;
  }

  /** The weight shape {@code [out, in]} of block layer {@code layer} (one of {@link #ADAPTABLE}), as {@link Block} builds it. */
  private static int[] weightShape(GptConfig c, String layer) {
    int width = c.nEmbd();
    int q = c.nHead() * c.headSize();
    int kv = c.kvHeads() * c.headSize();
    int hidden = c.hiddenSize();
    return switch (layer) {
      case "attn.c_attn" -> new int[] {q + 2 * kv, width};
      case "attn.c_proj" -> new int[] {width, q};
      case "mlp.c_fc" -> new int[] {c.mlp() == GptConfig.Mlp.SWIGLU ? 2 * hidden : hidden, width};
      case "mlp.c_proj" -> new int[] {width, hidden};
      default -> throw new IllegalArgumentException("no linear layer '" + layer + "' in a block");
    };
  }

  private static boolean selects(String target, String layer) {
    return layer.equals(target) || layer.startsWith(target + ".") || layer.endsWith("." + target);
  }

  /**
   * Folds every block's low-rank adapters into their weights ({@link Linear#mergeLowRank}); the
   * adapters stay and would add again, so a model without them is built on the merged weights
   * afterwards. Returns how many layers were merged.
   */
  public int mergeLowRank() {
    int n = 0;
    for (Block b : h) {
      for (Linear l : new Linear[] {b.cAttn, b.attnProj, b.cFc, b.mlpProj}) {
        if (l.loraA() != null) {
          l.mergeLowRank();
          n++;
        }
      }
    }
    return n;
  }

  /** The parameters this model was built on. */
  public Params params() {
    return params;
  }

  /** An empty KV cache for {@code batch} sequences of up to the block size. */
  public KvCache newCache(int batch) {
    return h[0].attn.newCache(h.length, batch);
  }

  /**
   * The logits {@code [batch, time, vocab]} of the next token after each position of the token ids
   * {@code ids[0 .. batch*time)} (row-major {@code [batch, time]}), {@code time <= blockSize}.
   */
  public Tensor forward(StepContext ctx, int[] ids, int batch, int time) {
    return forward(ctx, ids, batch, time, null);
  }

  /**
   * The same for tokens that follow the {@code cache.length()} positions already in {@code cache}
   * (null: none, the whole window is given): their keys and values are appended to the cache.
   * Decoding with a cache is inference only.
   */
  public Tensor forward(StepContext ctx, int[] ids, int batch, int time, KvCache cache) {
    logits = lmHead.forward(ctx, hidden(ctx, ids, batch, time, cache));
    return logits;
  }

  /**
   * The final hidden states {@code [batch, time, C]} (after the last norm, before the head): what
   * a task head (a classifier) reads instead of the logits. {@link #backwardHidden} takes their gradient.
   */
  public Tensor hidden(StepContext ctx, int[] ids, int batch, int time) {
    return hidden(ctx, ids, batch, time, null);
  }

  private Tensor hidden(StepContext ctx, int[] ids, int batch, int time, KvCache cache) {
    int pos = cache == null ? 0 : cache.length();
    if (cache != null && ctx.training()) {
      throw new IllegalArgumentException("GPT: decoding with a KV cache is inference only (no dropout, no backward)");
    }
    if (time < 1 || pos + time > config.blockSize()) {
      throw new IllegalArgumentException("GPT: positions [" + pos + ", " + (pos + time) + ") must lie within the"
          + " block size " + config.blockSize());
    }
    Tensor x = wte.forward(ctx, ids, 0, batch, time);
    addPositions(ctx, x, batch, time, pos);
    x = drop.forward(ctx, x);
    for (int l = 0; l < h.length; l++) {
      x = h[l].forward(ctx, x, cache, l, pos);
    }
    if (cache != null) {
      cache.advance(time);
    }
    return lnF.forward(ctx, x);
  }

  /**
   * The mean cross-entropy of the last forward pass's logits against {@code targets[0 .. rows)}
   * (this shard's part of the whole batch's mean). In training it also computes the logits'
   * gradient for {@link #backward}, written over the logits tensor (a training step reads the
   * logits no more; in inference they are left as they are).
   */
  public double loss(StepContext ctx, int[] targets) {
    if (logits == null) {
      throw new IllegalStateException("GPT: loss before a forward pass");
    }
    return crossEntropy.forward(ctx, logits, targets);
  }

  /** The gradients of the last training {@link #loss}, added into the parameters' gradients. */
  public void backward(StepContext ctx) {
    backwardHidden(ctx, lmHead.backward(ctx, crossEntropy.backward(ctx)));
  }

  /**
   * The gradients of a loss on the last {@link #forward} pass's logits, given theirs (which may be
   * written over the logits: the head keeps its input, not its output), added into the parameters'
   * gradients. For losses other than {@link #loss}'s cross-entropy (DPO's log-probabilities).
   */
  public void backwardLogits(StepContext ctx, Tensor dLogits) {
    backwardHidden(ctx, lmHead.backward(ctx, dLogits));
  }

  /** The gradients of a loss on the last {@link #hidden} states, given theirs, added into the parameters' gradients. */
  public void backwardHidden(StepContext ctx, Tensor dHidden) {
    Tensor d = lnF.backward(ctx, dHidden);
    for (int l = h.length - 1; l >= 0; l--) {
      d = h[l].backward(ctx, d);
    }
    d = drop.backward(ctx, d);
    wte.backward(ctx, d);
    if (wpe != null) {
      wpe.backward(ctx, d);
    }
  }

  /** A training step on a batch of windows ({@link TokenBatches}: ids {@code x} and next ids {@code y}, {@code [B, T]}). */
  public StepLoss trainStep(Batch batch, StepContext ctx) {
    int b = batch.examples();
    int t = (int) batch.get("x").size(1);
    inputs = TokenBatches.ids(batch, "x", inputs);
    targets = TokenBatches.ids(batch, "y", targets);
    forward(ctx, inputs, b, t);
    double loss = loss(ctx, targets);
    backward(ctx);
    return StepLoss.of(loss);
  }

  private void addPositions(StepContext ctx, Tensor x, int batch, int time, int pos) {
    if (wpe != null) {
      x.add(wpe.forwardPositions(ctx, batch, time, pos));
      return;
    }
    if (sinusoids == null) {
      return; // rotary: the attention layers rotate queries and keys
    }
    Tensor rows = sinusoids.rowRange(pos, pos + time);
    for (int b = 0; b < batch; b++) {
      x.rowRange(b, b + 1).add(rows);
    }
  }

  /**
   * Vaswani et al.'s encodings {@code [time, width]}: {@code sin(p / 10000^(i/width))} in even
   * columns i, {@code cos} of the same angle in the odd column after it.
   */
  static float[] sinusoids(int time, int width) {
    float[] t = new float[time * width];
    for (int p = 0; p < time; p++) {
      for (int i = 0; i < width; i += 2) {
        double angle = p / Math.pow(10000, (double) i / width);
        t[p * width + i] = (float) Math.sin(angle);
        t[p * width + i + 1] = (float) Math.cos(angle);
      }
    }
    return t;
  }

  private static Layer norm(GptConfig c, Params p, String name) {
    return c.norm() == GptConfig.Norm.LAYER
        ? new LayerNorm(p, name, c.nEmbd(), c.normEps(), c.bias())
        : new RmsNorm(p, name, c.nEmbd(), c.normEps());
  }

  /**
   * A pre-norm Transformer block, {@code x = x + attn(ln_1(x)); x = x + mlp(ln_2(x))}, with
   * dropout on each branch's output. The residual adds go into the branch's output, which no op
   * keeps as its input; the backward pass adds the block output's gradient back in the same way.
   */
  private static final class Block {
    final Layer ln1;
    final Linear cAttn;
    final CausalSelfAttention attn;
    final Linear attnProj;
    final Dropout attnDrop;
    final Layer ln2;
    final Linear cFc;
    final Layer act;
    final Linear mlpProj;
    final Dropout mlpDrop;

    /** {@code stream}: the first of the three random streams of this block's dropouts; {@code rotary}: the model's, or null. */
    Block(GptConfig c, Params p, String name, long stream, RotaryEmbedding rotary) {
      int width = c.nEmbd();
      int hidden = c.hiddenSize();
      boolean swiglu = c.mlp() == GptConfig.Mlp.SWIGLU;
      Init normal = Init.normal(INIT_STD);
      // GPT-2 scales the residual projections' init by 1/sqrt(2 nLayer): each block adds two branches.
      Init residual = Init.normal(INIT_STD / Math.sqrt(2.0 * c.nLayer()));
      ln1 = norm(c, p, name + ".ln_1");
      attn = CausalSelfAttention.builder(c.nHead(), width, c.blockSize()).kvHeads(c.kvHeads())
          .dropout(c.dropout(), stream).rotary(rotary).build();
      cAttn = new Linear(p, name + ".attn.c_attn", width, attn.inputWidth(), c.bias(), normal, Init.zeros());
      attnProj = new Linear(p, name + ".attn.c_proj", attn.outputWidth(), width, c.bias(), residual, Init.zeros());
      attnDrop = new Dropout(c.dropout(), stream + 1);
      ln2 = norm(c, p, name + ".ln_2");
      cFc = new Linear(p, name + ".mlp.c_fc", width, swiglu ? 2 * hidden : hidden, c.bias(), normal, Init.zeros());
      act = swiglu ? new SwiGlu() : Activation.geluTanh();
      mlpProj = new Linear(p, name + ".mlp.c_proj", hidden, width, c.bias(), residual, Init.zeros());
      mlpDrop = new Dropout(c.dropout(), stream + 2);
    }

    Tensor forward(StepContext ctx, Tensor x, KvCache cache, int layer, int pos) {
      Tensor qkv = cAttn.forward(ctx, ln1.forward(ctx, x));
      Tensor y = cache == null ? attn.forward(ctx, qkv) : attn.forward(ctx, qkv, cache, layer, pos);
      Tensor x1 = attnDrop.forward(ctx, attnProj.forward(ctx, y));
      x1.add(x);
      Tensor x2 = mlpDrop.forward(ctx, mlpProj.forward(ctx, act.forward(ctx, cFc.forward(ctx, ln2.forward(ctx, x1)))));
      x2.add(x1);
      return x2;
    }

    /** The block's linear layer named {@code name} (one of {@link #ADAPTABLE}). */
    Linear linear(String name) {
      return switch (name) {
        case "attn.c_attn" -> cAttn;
        case "attn.c_proj" -> attnProj;
        case "mlp.c_fc" -> cFc;
        case "mlp.c_proj" -> mlpProj;
        default -> throw new IllegalArgumentException("no linear layer '" + name + "' in a block");
      };
    }

    Tensor backward(StepContext ctx, Tensor dx2) {
      Tensor dx1 = ln2.backward(ctx, cFc.backward(ctx, act.backward(ctx, mlpProj.backward(ctx,
          mlpDrop.backward(ctx, dx2)))));
      dx1.add(dx2);
      Tensor dx = ln1.backward(ctx, cAttn.backward(ctx, attn.backward(ctx, attnProj.backward(ctx,
          attnDrop.backward(ctx, dx1)))));
      dx.add(dx1);
      return dx;
    }
  }
}
