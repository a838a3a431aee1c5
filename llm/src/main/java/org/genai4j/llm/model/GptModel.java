package org.genai4j.llm.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.genai4j.common.nn.Init;
import org.genai4j.common.nn.Layers;
import org.genai4j.common.train.ParameterGroup;
import org.genai4j.common.train.SameDiffGroup;
import org.genai4j.common.train.Trainable;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A decoder-only Transformer (GPT) as a SameDiff graph for a fixed batch of {@code [batch, time]}
 * token ids, read like nanoGPT's model.py: token embedding plus positions, {@code nLayer}
 * pre-LayerNorm {@link Block}s, a final layer norm and a head tied to the token embedding; the
 * loss is the mean cross-entropy of next-token predictions.
 *
 * <p>Placeholders: {@code x} and {@code y}, INT {@code [batch, time]}. Outputs: {@code logits}
 * ({@code [batch*time, vocab]}) and {@code loss}. Parameter names are stable ({@code wte},
 * {@code wpe}, {@code h0/attn/qkv/w}, ...) and shared with {@link GptInference}. Training computes
 * the gradients with a hand-written pass when there is no dropout ({@link #parameterGroups()}).
 */
public final class GptModel implements Trainable {

  /** GPT-2's initialization: weights from N(0, 0.02^2). */
  static final double INIT_STD = 0.02;

  private final GptConfig config;
  private final int batch;
  private final int time;
  private final SameDiff sd;
  private final List<String> parameterNames = new ArrayList<>();
  private final SameDiffGroup group;
  private final boolean fastStepSupported;
  private boolean fastStep;
  private GptKernelGroup fastGroup;

  /**
   * Builds the graph with fresh GPT-2 style weights drawn from ND4J's generator seeded with
   * {@code seed}.
   *
   * @param batch sequences per batch
   * @param time tokens per sequence, at most {@code config.blockSize()}
   * @param training whether to apply dropout (evaluation graphs never do)
   */
  public GptModel(GptConfig config, int batch, int time, boolean training, long seed) {
    if (batch < 1) throw new IllegalArgumentException("batch must be >= 1, got " + batch);
    if (time < 1 || time > config.blockSize()) {
      throw new IllegalArgumentException("time must be in 1.." + config.blockSize() + " (blockSize), got " + time);
    }
    this.config = config;
    this.batch = batch;
    this.time = time;
    Nd4j.getRandom().setSeed(seed);
    sd = SameDiff.create();
    double dropout = training ? config.dropout() : 0.0;
    build(dropout);
    fastStepSupported = GptKernel.supports(config, dropout);
    fastStep = fastStepSupported;
    for (SDVariable v : sd.variables()) {
      if (v.getVariableType() == VariableType.VARIABLE) {
        parameterNames.add(v.name());
      }
    }
    group = new SameDiffGroup("gpt", sd, "loss", parameterNames,
        b -> Map.of("x", b.get("x"), "y", b.get("y")), Map.of());
  }

  /** Standard deviation of the residual output projections: 0.02 / sqrt(2 * nLayer). */
  static double residualStd(GptConfig c) {
    return INIT_STD / Math.sqrt(2.0 * c.nLayer());
  }

  private void build(double dropout) {
    int v = config.vocabSize();
    long width = config.nEmbd();
    long rows = (long) batch * time;
    SDVariable x = sd.placeHolder("x", DataType.INT, batch, time);
    SDVariable y = sd.placeHolder("y", DataType.INT, batch, time);

    SDVariable wte = sd.var("wte", Init.normal(INIT_STD, v, width));
    SDVariable tok = Layers.embeddingLookup(sd, x, wte, v).reshape(batch, time, width);
    SDVariable pos = config.positional() == PositionalEncoding.LEARNED
        ? sd.var("wpe", Init.normal(INIT_STD, config.blockSize(), width))
        : sd.constant("wpe_sin", Positions.sinusoids(config.blockSize(), (int) width));
    if (time < config.blockSize()) {
      pos = pos.get(org.nd4j.autodiff.samediff.SDIndex.interval(0, time));
    }
    SDVariable h = GraphOps.dropout(sd, tok.add(pos).reshape(rows, width), dropout, rows, width);

    SDVariable mask = sd.constant("causal_mask", Positions.causalMask(0, time));
    for (int i = 0; i < config.nLayer(); i++) {
      h = Block.apply(sd, "h" + i, h, mask, config, batch, time, dropout);
    }
    h = GraphOps.layerNorm(sd, "lnf", h, width, config.bias());
    SDVariable logits = config.tieWeights()
        ? sd.mmul(h, wte, false, true, false)
        : h.mmul(sd.var("head/w", Init.normal(INIT_STD, width, v)));
    logits = sd.identity("logits", logits);
    Layers.crossEntropy(sd, "loss", logits, y, v);
  }

  public GptConfig config() {
    return config;
  }

  public int batchSize() {
    return batch;
  }

  /** Tokens per sequence this graph takes. */
  public int time() {
    return time;
  }

  public SameDiff sameDiff() {
    return sd;
  }

  /**
   * The training group: by default a hand-written forward/backward pass over this graph's own
   * weights (same loss and gradients; measured 2.5-2.9x faster per trainer step, ~4x for the
   * gradients alone, see llm/NOTES.md) when this graph has no dropout; otherwise the SameDiff
   * graph's own gradients.
   */
  @Override
  public List<ParameterGroup> parameterGroups() {
    if (fastStep) {
      if (fastGroup == null) {
        fastGroup = new GptKernelGroup(config, batch, time, group);
      }
      return List.of(fastGroup);
    }
    return List.of(group);
  }

  /**
   * Chooses the hand-written training step (the default where supported) or SameDiff's, e.g. to
   * compare the two in a benchmark. Graphs with dropout support only SameDiff's.
   */
  public void useFastStep(boolean fast) {
    if (fast && !fastStepSupported) {
      throw new IllegalStateException("the hand-written GPT step does not implement dropout (" + config.dropout()
          + "); this graph trains with SameDiff's step only");
    }
    fastStep = fast;
  }

  /** Whether {@link #parameterGroups()} uses the hand-written step. */
  public boolean usesFastStep() {
    return fastStep;
  }

  @Override
  public String configJson() {
    return config.toJson();
  }

  /** The live weight arrays by name. */
  public Map<String, INDArray> weights() {
    return group.parameters();
  }

  /** Copies every weight of {@code other} (same config) into this model. */
  public void copyWeightsFrom(GptModel other) {
    Map<String, INDArray> src = other.weights();
    for (var e : weights().entrySet()) {
      e.getValue().assign(src.get(e.getKey()));
    }
  }

  /** Logits {@code [batch*time, vocab]} for token ids {@code x} ({@code [batch, time]}). */
  public INDArray logits(INDArray x) {
    return sd.output(Map.of("x", checkShape(x)), "logits").get("logits");
  }

  /** The mean next-token cross-entropy of the batch (nats). */
  public double loss(INDArray x, INDArray y) {
    Map<String, INDArray> ph = new LinkedHashMap<>();
    ph.put("x", checkShape(x));
    ph.put("y", checkShape(y));
    return sd.output(ph, "loss").get("loss").getDouble(0);
  }

  private INDArray checkShape(INDArray a) {
    if (a.rank() != 2 || a.size(0) != batch || a.size(1) != time) {
      throw new IllegalArgumentException("expected token ids of shape [" + batch + ", " + time + "], got "
          + java.util.Arrays.toString(a.shape()));
    }
    return a.dataType() == DataType.INT ? a : a.castTo(DataType.INT);
  }
}
