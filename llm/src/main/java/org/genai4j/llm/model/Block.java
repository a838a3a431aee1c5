package org.genai4j.llm.model;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/** A pre-LayerNorm Transformer block: {@code x += attn(ln1(x)); x += mlp(ln2(x))}. */
final class Block {
  private Block() {}

  static SDVariable apply(SameDiff sd, String name, SDVariable x, SDVariable mask, GptConfig c, int batch, int time,
      double dropout) {
    long width = c.nEmbd();
    SDVariable a = GraphOps.layerNorm(sd, name + "/ln1", x, width, c.bias());
    x = x.add(CausalSelfAttention.apply(sd, name + "/attn", a, mask, c, batch, time, dropout));
    SDVariable m = GraphOps.layerNorm(sd, name + "/ln2", x, width, c.bias());
    return x.add(Mlp.apply(sd, name + "/mlp", m, c, (long) batch * time, dropout));
  }
}
