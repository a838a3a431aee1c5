package org.genai4j.llm.model;

import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.GELU;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The GPT's forward pass for one sequence in plain ND4J operations on the model's weight arrays,
 * for generation: it feeds new tokens after those held in a {@link KvCache}, so decoding one
 * token costs one position instead of the whole window. It computes the same function as {@link
 * GptModel}'s SameDiff graph (checked by tests), without dropout.
 */
public final class GptInference {

  private final GptConfig c;
  private final Map<String, INDArray> w;
  private final INDArray positions;
  private final INDArray headMatrix;

  /** Reads the weights by name ({@link GptModel#weights()}); they are used live, not copied. */
  public GptInference(GptConfig config, Map<String, INDArray> weights) {
    this.c = config;
    this.w = weights;
    positions = config.positional() == PositionalEncoding.LEARNED
        ? weight("wpe")
        : Positions.sinusoids(config.blockSize(), config.nEmbd());
    headMatrix = config.tieWeights() ? weight("wte").transpose() : weight("head/w");
  }

  public GptConfig config() {
    return c;
  }

  /** An empty cache for this model. */
  public KvCache newCache() {
    return new KvCache(c);
  }

  /**
   * Runs {@code tokens} after the positions already in {@code cache}, appends their keys and
   * values to it and returns the logits {@code [tokens.length, vocab]}.
   */
  public INDArray forward(int[] tokens, KvCache cache) {
    int past = cache.length();
    int n = tokens.length;
    if (n == 0) {
      throw new IllegalArgumentException("no tokens to run");
    }
    if (past + n > cache.capacity()) {
      throw new IllegalArgumentException("context of " + (past + n) + " tokens exceeds the block size " + cache.capacity());
    }
    for (int t : tokens) {
      if (t < 0 || t >= c.vocabSize()) {
        throw new IllegalArgumentException("token " + t + " is outside the vocabulary 0.." + (c.vocabSize() - 1));
      }
    }
    INDArray x = weight("wte").getRows(tokens).addi(positions.get(NDArrayIndex.interval(past, past + n), NDArrayIndex.all()));
    INDArray mask = Positions.causalMask(past, n);
    for (int l = 0; l < c.nLayer(); l++) {
      String p = "h" + l;
      x.addi(attention(p + "/attn", layerNorm(p + "/ln1", x), cache.keys[l], cache.values[l], past, mask));
      INDArray hidden = linear(p + "/mlp/fc", layerNorm(p + "/ln2", x));
      Nd4j.exec(new GELU(hidden, hidden));
      x.addi(linear(p + "/mlp/proj", hidden));
    }
    cache.advance(n);
    return layerNorm("lnf", x).mmul(headMatrix);
  }

  private INDArray attention(String name, INDArray x, INDArray keys, INDArray values, int past, INDArray mask) {
    int n = (int) x.size(0);
    int width = c.nEmbd();
    int d = c.headSize();
    int total = past + n;
    INDArray qkv = linear(name + "/qkv", x);
    INDArray out = Nd4j.create(DataType.FLOAT, n, width);
    double scale = 1.0 / Math.sqrt(d);
    for (int h = 0; h < c.nHead(); h++) {
      INDArray q = qkv.get(NDArrayIndex.all(), NDArrayIndex.interval(h * d, (h + 1) * d));
      INDArray k = qkv.get(NDArrayIndex.all(), NDArrayIndex.interval(width + h * d, width + (h + 1) * d));
      INDArray v = qkv.get(NDArrayIndex.all(), NDArrayIndex.interval(2 * width + h * d, 2 * width + (h + 1) * d));
      INDArray cachedK = keys.get(NDArrayIndex.point(h), NDArrayIndex.interval(0, total), NDArrayIndex.all());
      INDArray cachedV = values.get(NDArrayIndex.point(h), NDArrayIndex.interval(0, total), NDArrayIndex.all());
      cachedK.get(NDArrayIndex.interval(past, total), NDArrayIndex.all()).assign(k);
      cachedV.get(NDArrayIndex.interval(past, total), NDArrayIndex.all()).assign(v);
      INDArray scores = q.mmul(cachedK.transpose()).muli(scale).addi(mask);
      out.get(NDArrayIndex.all(), NDArrayIndex.interval(h * d, (h + 1) * d)).assign(softmaxRows(scores).mmul(cachedV));
    }
    return linear(name + "/proj", out);
  }

  private static INDArray softmaxRows(INDArray s) {
    INDArray e = Transforms.exp(s.subColumnVector(s.max(true, 1)), false);
    return e.diviColumnVector(e.sum(true, 1));
  }

  private INDArray linear(String name, INDArray x) {
    INDArray y = x.mmul(weight(name + "/w"));
    return c.bias() ? y.addiRowVector(weight(name + "/b")) : y;
  }

  /**
   * Layer norm over each row. DL4J's layer_norm op adds no epsilon to the variance (nanoGPT adds
   * 1e-5); 1e-12 here only guards a constant row and matches the op to float precision.
   */
  private INDArray layerNorm(String name, INDArray x) {
    INDArray centered = x.subColumnVector(x.mean(true, 1));
    INDArray std = Transforms.sqrt(centered.mul(centered).mean(true, 1).addi(1e-12), false);
    INDArray y = centered.diviColumnVector(std).muliRowVector(weight(name + "/g"));
    return c.bias() ? y.addiRowVector(weight(name + "/b")) : y;
  }

  private INDArray weight(String name) {
    INDArray a = w.get(name);
    if (a == null) {
      throw new IllegalArgumentException("the model has no weight '" + name + "'");
    }
    return a;
  }
}
