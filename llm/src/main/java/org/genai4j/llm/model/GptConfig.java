package org.genai4j.llm.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/**
 * The shape of a GPT, as nanoGPT's {@code GPTConfig}, plus the two choices that turn it into a
 * Llama-style block: RMS norm instead of layer norm and a SwiGLU MLP instead of GELU.
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
 * @param norm layer norm (GPT-2) or RMS norm (Llama); epsilon 1e-5 either way
 * @param mlp the feed-forward block: GELU (GPT-2's tanh form) or SwiGLU (Llama)
 * @param mlpHidden the MLP's hidden width; 0 for the default ({@link #hiddenSize()})
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
    int mlpHidden) {

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
      throw new IllegalArgumentException("positional must be LEARNED or SINUSOIDAL, got null");
    }
    if (positional == PositionalEncoding.SINUSOIDAL && nEmbd % 2 != 0) {
      throw new IllegalArgumentException("sinusoidal positional encoding needs an even nEmbd, got " + nEmbd);
    }
    if (norm == null) throw new IllegalArgumentException("norm must be LAYER or RMS, got null");
    if (mlp == null) throw new IllegalArgumentException("mlp must be GELU or SWIGLU, got null");
    if (mlpHidden < 0) {
      throw new IllegalArgumentException("mlpHidden must be >= 0 (0: the default width), got " + mlpHidden);
    }
  }

  /** A GPT-2 style config with nanoGPT's defaults: no dropout, biases, learned positions, tied head, layer norm, GELU. */
  public static GptConfig of(int vocabSize, int nLayer, int nHead, int nEmbd, int blockSize) {
    return new GptConfig(vocabSize, nLayer, nHead, nEmbd, blockSize, 0.0, true, PositionalEncoding.LEARNED, true,
        Norm.LAYER, Mlp.GELU, 0);
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

  public GptConfig withVocabSize(int v) {
    return new GptConfig(v, nLayer, nHead, nEmbd, blockSize, dropout, bias, positional, tieWeights, norm, mlp,
        mlpHidden);
  }

  /** Another depth, head count, width and context length. */
  public GptConfig withShape(int layers, int heads, int embd, int block) {
    return new GptConfig(vocabSize, layers, heads, embd, block, dropout, bias, positional, tieWeights, norm, mlp,
        mlpHidden);
  }

  public GptConfig withDropout(double p) {
    return new GptConfig(vocabSize, nLayer, nHead, nEmbd, blockSize, p, bias, positional, tieWeights, norm, mlp,
        mlpHidden);
  }

  public GptConfig withBias(boolean b) {
    return new GptConfig(vocabSize, nLayer, nHead, nEmbd, blockSize, dropout, b, positional, tieWeights, norm, mlp,
        mlpHidden);
  }

  public GptConfig withPositional(PositionalEncoding p) {
    return new GptConfig(vocabSize, nLayer, nHead, nEmbd, blockSize, dropout, bias, p, tieWeights, norm, mlp,
        mlpHidden);
  }

  public GptConfig withTieWeights(boolean tie) {
    return new GptConfig(vocabSize, nLayer, nHead, nEmbd, blockSize, dropout, bias, positional, tie, norm, mlp,
        mlpHidden);
  }

  public GptConfig withNorm(Norm n) {
    return new GptConfig(vocabSize, nLayer, nHead, nEmbd, blockSize, dropout, bias, positional, tieWeights, n, mlp,
        mlpHidden);
  }

  /** The MLP kind and its hidden width (0: the default). */
  public GptConfig withMlp(Mlp m, int hidden) {
    return new GptConfig(vocabSize, nLayer, nHead, nEmbd, blockSize, dropout, bias, positional, tieWeights, norm, m,
        hidden);
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
   * their GPT-2 defaults ({@code norm} LAYER, {@code mlp} GELU, {@code mlpHidden} 0), so older runs'
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
      return JSON.treeToValue(o, GptConfig.class);
    } catch (JsonProcessingException e) {
      if (e.getCause() instanceof IllegalArgumentException bad) {
        throw new IllegalArgumentException("GPT configuration: " + bad.getMessage(), bad);
      }
      throw new IllegalArgumentException("not a GPT configuration: " + e.getOriginalMessage(), e);
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
