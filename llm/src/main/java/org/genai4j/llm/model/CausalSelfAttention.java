package org.genai4j.llm.model;

import org.genai4j.common.nn.Layers;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Multi-head self-attention in which a position attends only to itself and earlier positions:
 * {@code softmax(Q K^T / sqrt(d) + M) V} with {@code M} a constant matrix of {@code -1e9} above
 * the diagonal (SameDiff has no causal attention op). Q, K and V come from one {@code [C, 3C]}
 * projection; heads are a batch axis of the matrix products.
 */
final class CausalSelfAttention {
  private CausalSelfAttention() {}

  /**
   * @param x the layer-normed residual stream, {@code [B*T, C]}
   * @param mask the additive causal mask, {@code [T, T]}
   * @return {@code [B*T, C]}, after the output projection (and residual dropout)
   */
  static SDVariable apply(SameDiff sd, String name, SDVariable x, SDVariable mask, GptConfig c, int batch, int time,
      double dropout) {
    int h = c.nHead();
    int d = c.headSize();
    long width = c.nEmbd();
    SDVariable qkv = Layers.linear(sd, name + "/qkv", x, width, 3 * width, c.bias(), GptModel.INIT_STD);
    // [B*T, 3C] -> [3, B, H, T, d]: one permute gives Q, K and V with heads as a batch axis.
    SDVariable[] parts = sd.unstack(qkv.reshape(batch, time, 3, h, d).permute(2, 0, 3, 1, 4), 0, 3);
    SDVariable q = parts[0];
    SDVariable k = parts[1];
    SDVariable v = parts[2];
    // The scale is a graph constant, not a scalar attribute, so the graph can be cast to DOUBLE for gradient checks.
    SDVariable scale = sd.constant(name + "/scale", org.nd4j.linalg.factory.Nd4j.scalar(1.0f / (float) Math.sqrt(d)));
    SDVariable scores = sd.mmul(q, k, false, true, false).mul(scale).add(mask);
    SDVariable weights = GraphOps.dropout(sd, sd.nn.softmax(scores, -1), dropout, batch, h, time, time);
    SDVariable y = weights.mmul(v).permute(0, 2, 1, 3).reshape((long) batch * time, width);
    SDVariable out = Layers.linear(sd, name + "/proj", y, width, width, c.bias(), GptModel.residualStd(c));
    return GraphOps.dropout(sd, out, dropout, (long) batch * time, width);
  }
}
