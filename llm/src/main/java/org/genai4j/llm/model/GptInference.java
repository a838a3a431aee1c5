package org.genai4j.llm.model;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.LayerNorm;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.strict.GELU;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

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
    INDArray mask = n > 1 ? Positions.causalMask(past, n) : null; // one new token may see every key
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

  /**
   * All heads at once (batched matrix products over the head axis): few, larger ND4J calls, since
   * for one token the per-call overhead, not arithmetic, dominates.
   */
  private INDArray attention(String name, INDArray x, INDArray keys, INDArray values, int past, INDArray mask) {
    int n = (int) x.size(0);
    int h = c.nHead();
    int d = c.headSize();
    int total = past + n;
    // [n, 3C] -> [3, H, n, d]
    INDArray qkv = linear(name + "/qkv", x).reshape(n, 3, h, d).permute(1, 2, 0, 3).dup('c');
    INDArray q = qkv.get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all());
    keys.get(NDArrayIndex.all(), NDArrayIndex.interval(past, total), NDArrayIndex.all())
        .assign(qkv.get(NDArrayIndex.point(1), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all()));
    values.get(NDArrayIndex.all(), NDArrayIndex.interval(past, total), NDArrayIndex.all())
        .assign(qkv.get(NDArrayIndex.point(2), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all()));
    INDArray k = keys.get(NDArrayIndex.all(), NDArrayIndex.interval(0, total), NDArrayIndex.all());
    INDArray v = values.get(NDArrayIndex.all(), NDArrayIndex.interval(0, total), NDArrayIndex.all());
    INDArray scores = Nd4j.matmul(q, k, false, true, false).muli(1.0 / Math.sqrt(d));
    if (n > 1) {
      scores.addi(mask.reshape(1, n, total).broadcast(h, n, total));
    }
    Nd4j.exec(new SoftMax(scores, scores, -1));
    // [H, n, d] -> [n, H, d] -> [n, C]
    INDArray y = Nd4j.matmul(scores, v).permute(1, 0, 2).dup('c').reshape(n, c.nEmbd());
    return linear(name + "/proj", y);
  }

  private INDArray linear(String name, INDArray x) {
    INDArray y = x.mmul(weight(name + "/w"));
    return c.bias() ? y.addiRowVector(weight(name + "/b")) : y;
  }

  /** Layer norm over each row with DL4J's op, the one the training graph uses. */
  private INDArray layerNorm(String name, INDArray x) {
    INDArray gain = weight(name + "/g");
    INDArray out = x.ulike();
    Nd4j.exec(c.bias()
        ? new LayerNorm(x, gain, weight(name + "/b"), out, false, 1)
        : new LayerNorm(x, gain, out, false, 1));
    return out;
  }

  private INDArray weight(String name) {
    INDArray a = w.get(name);
    if (a == null) {
      throw new IllegalArgumentException("the model has no weight '" + name + "'");
    }
    return a;
  }
}
