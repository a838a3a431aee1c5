package org.genai4j.llm.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.function.Consumer;
import org.genai4j.common.ops.RotaryEmbedding;
import org.genai4j.common.util.JsonProblem;

/**
 * The shape of a GPT, as nanoGPT's {@code GPTConfig}, plus the choices that turn it into a Llama:
 * RMS norm instead of layer norm, a SwiGLU MLP instead of GELU, rotary positions, fewer key/value
 * heads than query heads ({@link #llama}).
 *
 * @param vocabSize number of token ids (training sets it to its tokenizer's)
 * @param nLayer number of Transformer blocks
 * @param nHead attention heads per block
 * @param nEmbd width of the residual stream; a multiple of {@code nHead}
 * @param blockSize the longest context (tokens) the model sees
 * @param dropout dropout probability in training (embeddings, attention probabilities, residual branches)
 * @param bias whether linear layers and layer norms have biases (GPT-2: yes); RMS norms never have one
 * @param positional learned positions ({@code transformer.wpe}, GPT-2) or fixed sinusoids (no parameters)
 * @param tieWeights whether the output head reuses the token embedding matrix (GPT-2: yes)
 * @param norm layer norm (GPT-2) or RMS norm (Llama), with epsilon {@code normEps}
 * @param mlp the feed-forward block: GELU (GPT-2's tanh form) or SwiGLU (Llama)
 * @param mlpHidden the MLP's hidden width; 0 for the default ({@link #hiddenSize()})
 * @param nKvHead key/value heads of grouped-query attention, a divisor of {@code nHead}; 0 for one per head
 * @param normEps the norms' epsilon (GPT-2 and Llama 2: 1e-5; some Llama checkpoints 1e-6)
 * @param ropeTheta the rotary embedding's base (Llama 2: 10000), read with {@link PositionalEncoding#ROTARY}
 * @param ropeLayout which coordinates the rotary embedding pairs: Hugging Face's halves or llama2.c's pairs
 */
public record GptConfig(
    int vocabSize,
    int nLayer,
    int nHead,
    int nEmbd,
    int blockSize,
    double dropout,
    boolean bias,
    PositionalEncoding positional,
    boolean tieWeights,
    Norm norm,
    Mlp mlp,
    int mlpHidden,
    int nKvHead,
    double normEps,
    double ropeTheta,
    RotaryEmbedding.Layout ropeLayout) {

  /** How a block normalizes its inputs. */
  public enum Norm {
    /** PyTorch's {@code nn.LayerNorm}, eps 1e-5, with a bias when {@code bias}. */
    LAYER,
    /** Llama's RMS norm, eps 1e-5, no bias. */
    RMS;

    /** {@code layer} or {@code rms}, any case; a one-line error naming {@code what} otherwise. */
    public static Norm parse(String s, String what) {
      return parseEnum(Norm.class, s, what);
    }
  }

  /** The feed-forward half of a block. */
  public enum Mlp {
    /** {@code c_proj(gelu_tanh(c_fc(x)))}, GPT-2. */
    GELU,
    /** {@code c_proj(silu(gate) * up)} with {@code c_fc} producing gate and up side by side, Llama. */
    SWIGLU;

    /** {@code gelu} or {@code swiglu}, any case; a one-line error naming {@code what} otherwise. */
    public static Mlp parse(String s, String what) {
      return parseEnum(Mlp.class, s, what);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  public GptConfig {
    if (vocabSize < 1) throw new IllegalArgumentException("vocabSize must be >= 1, got " + vocabSize);
    if (nLayer < 1) throw new IllegalArgumentException("nLayer must be >= 1, got " + nLayer);
    if (nHead < 1) throw new IllegalArgumentException("nHead must be >= 1, got " + nHead);
    if (nEmbd < 1) throw new IllegalArgumentException("nEmbd must be >= 1, got " + nEmbd);
    if (nEmbd % nHead != 0) {
      throw new IllegalArgumentException("nEmbd " + nEmbd + " is not divisible by nHead " + nHead
          + " (each head gets nEmbd / nHead dimensions)");
    }
    if (blockSize < 1) throw new IllegalArgumentException("blockSize must be >= 1, got " + blockSize);
    if (!(dropout >= 0 && dropout < 1)) {
      throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
    }
    if (positional == null) {
      throw new IllegalArgumentException("positional must be LEARNED, SINUSOIDAL or ROTARY, got null");
    }
    if (positional == PositionalEncoding.SINUSOIDAL && nEmbd % 2 != 0) {
      throw new IllegalArgumentException("sinusoidal positional encoding needs an even nEmbd, got " + nEmbd);
    }
    if (norm == null) throw new IllegalArgumentException("norm must be LAYER or RMS, got null");
    if (mlp == null) throw new IllegalArgumentException("mlp must be GELU or SWIGLU, got null");
    if (mlpHidden < 0) {
      throw new IllegalArgumentException("mlpHidden must be >= 0 (0: the default width), got " + mlpHidden);
    }
    if (nKvHead < 0 || (nKvHead > 0 && nHead % nKvHead != 0)) {
      throw new IllegalArgumentException("nKvHead must divide nHead " + nHead + " (0: one per head), got " + nKvHead);
    }
    if (!(normEps > 0 && normEps < 1)) {
      throw new IllegalArgumentException("normEps must be in (0, 1), got " + normEps);
    }
    if (!(ropeTheta > 1) || Double.isInfinite(ropeTheta)) {
      throw new IllegalArgumentException("ropeTheta must be a finite number > 1, got " + ropeTheta);
    }
    if (ropeLayout == null) {
      throw new IllegalArgumentException("ropeLayout must be HALVES or PAIRS, got null");
    }
    if (positional == PositionalEncoding.ROTARY && (nEmbd / nHead) % 2 != 0) {
      throw new IllegalArgumentException("rotary positions need an even head size, got nEmbd / nHead = "
          + nEmbd / nHead);
    }
  }

  /** A GPT-2 style config with nanoGPT's defaults: no dropout, biases, learned positions, tied head, layer norm, GELU. */
  public static GptConfig of(int vocabSize, int nLayer, int nHead, int nEmbd, int blockSize) {
    return new GptConfig(vocabSize, nLayer, nHead, nEmbd, blockSize, 0.0, true, PositionalEncoding.LEARNED, true,
        Norm.LAYER, Mlp.GELU, 0, 0, 1e-5, 10000, RotaryEmbedding.Layout.HALVES);
  }

  /**
   * A Llama-style config (Llama 2's choices): RMS norm (eps 1e-5), SwiGLU, rotary positions (theta
   * 10000, Hugging Face's layout), no biases, {@code nKvHead} key/value heads, an untied head, no dropout.
   */
  public static GptConfig llama(int vocabSize, int nLayer, int nHead, int nKvHead, int nEmbd, int blockSize) {
    return new GptConfig(vocabSize, nLayer, nHead, nEmbd, blockSize, 0.0, false, PositionalEncoding.ROTARY, false,
        Norm.RMS, Mlp.SWIGLU, 0, nKvHead, 1e-5, 10000, RotaryEmbedding.Layout.HALVES);
  }

  /**
   * nanoGPT's Tiny Shakespeare CPU model: 4 layers, 4 heads, width 128, block 64, no dropout, over
   * the 65 characters of Tiny Shakespeare (training replaces the vocabulary by its tokenizer's).
   */
  public static GptConfig reference() {
    return of(65, 4, 4, 128, 64);
  }

  /** Width of one attention head. */
  public int headSize() {
    return nEmbd / nHead;
  }

  /**
   * The MLP's hidden width: {@code mlpHidden} when set, else {@code 4 nEmbd} for GELU (GPT-2) and
   * for SwiGLU two thirds of that, rounded up to a multiple of 8 (Llama's rule, which keeps the
   * parameter count of a GELU MLP with its three matrices).
   */
  public int hiddenSize() {
    if (mlpHidden > 0) {
      return mlpHidden;
    }
    return mlp == Mlp.GELU ? 4 * nEmbd : (8 * nEmbd / 3 + 7) / 8 * 8;
  }

  /**
   * The model's parameter count, computed from the shape without building it (so that a model too
   * large for memory can be refused first); equals {@code Gpt.params().count()}.
   */
  public long parameterCount() {
    // In doubles, exact below 2^53, so that an absurd width saturates instead of overflowing.
    double c = nEmbd;
    double hidden = mlpHidden > 0 ? mlpHidden : mlp == Mlp.GELU ? 4 * c : (8L * nEmbd / 3 + 7) / 8 * 8;
    double mlpIn = mlp == Mlp.SWIGLU ? 2 * hidden : hidden;
    double qkv = c + 2.0 * kvHeads() * (nHead == 0 ? 0 : nEmbd / nHead);
    double normSize = norm == Norm.LAYER && bias ? 2 * c : c;
    double biases = bias ? qkv + c + mlpIn + c : 0;
    double block = 2 * normSize + c * qkv + c * c + c * mlpIn + hidden * c + biases;
    double embeddings = vocabSize * c + (positional == PositionalEncoding.LEARNED ? blockSize * c : 0);
    return (long) (embeddings + nLayer * block + normSize + (tieWeights ? 0 : c * vocabSize));
  }

  /** Key/value heads: {@code nKvHead}, or {@code nHead} when 0. */
  public int kvHeads() {
    return nKvHead == 0 ? nHead : nKvHead;
  }

  public GptConfig withVocabSize(int v) {
    return with(c -> c.vocabSize = v);
  }

  /** Another depth, head count, width and context length (key/value heads: one per head). */
  public GptConfig withShape(int layers, int heads, int embd, int block) {
    return with(c -> {
      c.nLayer = layers;
      c.nHead = heads;
      c.nEmbd = embd;
      c.blockSize = block;
      c.nKvHead = 0;
    });
  }

  public GptConfig withDropout(double p) {
    return with(c -> c.dropout = p);
  }

  public GptConfig withBias(boolean b) {
    return with(c -> c.bias = b);
  }

  public GptConfig withPositional(PositionalEncoding p) {
    return with(c -> c.positional = p);
  }

  public GptConfig withTieWeights(boolean tie) {
    return with(c -> c.tieWeights = tie);
  }

  public GptConfig withNorm(Norm n) {
    return with(c -> c.norm = n);
  }

  /** The MLP kind and its hidden width (0: the default). */
  public GptConfig withMlp(Mlp m, int hidden) {
    return with(c -> {
      c.mlp = m;
      c.mlpHidden = hidden;
    });
  }

  /** Grouped-query attention with {@code kvHeads} key/value heads (0: one per head). */
  public GptConfig withKvHeads(int kvHeads) {
    return with(c -> c.nKvHead = kvHeads);
  }

  public GptConfig withNormEps(double eps) {
    return with(c -> c.normEps = eps);
  }

  /** Rotary positions with base {@code theta} and the coordinates paired as {@code layout}. */
  public GptConfig withRotary(double theta, RotaryEmbedding.Layout layout) {
    return with(c -> {
      c.positional = PositionalEncoding.ROTARY;
      c.ropeTheta = theta;
      c.ropeLayout = layout;
    });
  }

  private GptConfig with(Consumer<Copy> change) {
    Copy c = new Copy(this);
    change.accept(c);
    return c.build();
  }

  /** The fields of a config to change before building another (the record's withers). */
  private static final class Copy {
    int vocabSize;
    int nLayer;
    int nHead;
    int nEmbd;
    int blockSize;
    double dropout;
    boolean bias;
    PositionalEncoding positional;
    boolean tieWeights;
    Norm norm;
    Mlp mlp;
    int mlpHidden;
    int nKvHead;
    double normEps;
    double ropeTheta;
    RotaryEmbedding.Layout ropeLayout;

    Copy(GptConfig g) {
      vocabSize = g.vocabSize;
      nLayer = g.nLayer;
      nHead = g.nHead;
      nEmbd = g.nEmbd;
      blockSize = g.blockSize;
      dropout = g.dropout;
      bias = g.bias;
      positional = g.positional;
      tieWeights = g.tieWeights;
      norm = g.norm;
      mlp = g.mlp;
      mlpHidden = g.mlpHidden;
      nKvHead = g.nKvHead;
      normEps = g.normEps;
      ropeTheta = g.ropeTheta;
      ropeLayout = g.ropeLayout;
    }

    GptConfig build() {
      return new GptConfig(vocabSize, nLayer, nHead, nEmbd, blockSize, dropout, bias, positional, tieWeights, norm,
          mlp, mlpHidden, nKvHead, normEps, ropeTheta, ropeLayout);
    }
  }

  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Reads a configuration written by {@link #toJson()}. Fields added after a file was written take
   * their GPT-2 defaults ({@code norm} LAYER, {@code mlp} GELU, {@code mlpHidden} 0, {@code nKvHead}
   * 0, {@code normEps} 1e-5, {@code ropeTheta} 10000, {@code ropeLayout} HALVES), so older runs'
   * files still read.
   */
  public static GptConfig fromJson(String json) {
    try {
      JsonNode node = JSON.readTree(json);
      if (!(node instanceof ObjectNode o)) {
        throw new IllegalArgumentException("not a GPT configuration: expected a JSON object");
      }
      if (!o.has("norm")) o.put("norm", Norm.LAYER.name());
      if (!o.has("mlp")) o.put("mlp", Mlp.GELU.name());
      if (!o.has("mlpHidden")) o.put("mlpHidden", 0);
      if (!o.has("nKvHead")) o.put("nKvHead", 0);
      if (!o.has("normEps")) o.put("normEps", 1e-5);
      if (!o.has("ropeTheta")) o.put("ropeTheta", 10000.0);
      if (!o.has("ropeLayout")) o.put("ropeLayout", RotaryEmbedding.Layout.HALVES.name());
      return JSON.treeToValue(o, GptConfig.class);
    } catch (JsonProcessingException e) {
      if (e.getCause() instanceof IllegalArgumentException bad) {
        throw new IllegalArgumentException("GPT configuration: " + bad.getMessage(), bad);
      }
      throw new IllegalArgumentException("not a GPT configuration: " + JsonProblem.describe(e), e);
    }
  }

  private static <E extends Enum<E>> E parseEnum(Class<E> type, String s, String what) {
    for (E e : type.getEnumConstants()) {
      if (e.name().equalsIgnoreCase(s == null ? "" : s.trim())) {
        return e;
      }
    }
    StringBuilder choices = new StringBuilder();
    for (E e : type.getEnumConstants()) {
      choices.append(choices.length() == 0 ? "" : " or ").append(e.name().toLowerCase(Locale.ROOT));
    }
    throw new IllegalArgumentException(what + " must be " + choices + ", got '" + s + "'");
  }
}
