package org.genai4j.llm.model;

/**
 * Causal multi-head self-attention on the fused {@code [B*T, 3C]} projection, forward and
 * backward, as {@link CausalSelfAttention} defines it: per sequence b and head h,
 * {@code P = softmax(Q K^T / sqrt(d) + M)}, {@code Y = P V}, with Q, K, V the head's d columns of
 * the q, k and v thirds and Y written to the head's columns of {@code [B*T, C]}. The mask adds
 * -1e9 above the diagonal, whose exponential is exactly 0 in FLOAT, so masked weights are set to
 * 0 directly. Every head is three small BLAS products on strided sub-matrices (no copies); the
 * softmax and its gradient are Java loops over one head's {@code [T, T]} block.
 */
final class AttentionKernel {
  private final int batch;
  private final int time;
  private final int heads;
  private final int headSize;
  private final int width;
  private final float scale;
  private final GemmClock blas;
  private final float[] block;
  private final float[] dBlock;
  private final NativeFloats dProbs;

  AttentionKernel(GptConfig c, int batch, int time, GemmClock blas) {
    this.batch = batch;
    this.time = time;
    this.heads = c.nHead();
    this.headSize = c.headSize();
    this.width = c.nEmbd();
    // Same FLOAT constant as the graph's scale.
    this.scale = 1.0f / (float) Math.sqrt(headSize);
    this.blas = blas;
    this.block = new float[time * time];
    this.dBlock = new float[time * time];
    this.dProbs = NativeFloats.zeros(time, time);
  }

  /** Attention weights of one layer, {@code [B*H, T, T]}, kept for the backward pass. */
  NativeFloats newProbs() {
    return NativeFloats.zeros((long) batch * heads, time, time);
  }

  /** Fills {@code probs} and {@code y} ({@code [B*T, C]}) from {@code qkv}. */
  void forward(NativeFloats qkv, NativeFloats probs, NativeFloats y) {
    int ld = 3 * width;
    int tt = time * time;
    for (int b = 0; b < batch; b++) {
      for (int h = 0; h < heads; h++) {
        long q = (long) b * time * ld + (long) h * headSize;
        int p = (b * heads + h) * tt;
        blas.gemm(false, true, time, time, headSize, scale, qkv, q, ld, qkv, q + width, ld, 0f, probs, p, time);
        probs.get(p, block, tt);
        softmaxCausal(block);
        probs.put(p, block, tt);
        blas.gemm(false, false, time, headSize, time, 1f, probs, p, time, qkv, q + 2L * width, ld, 0f,
            y, (long) b * time * width + (long) h * headSize, width);
      }
    }
  }

  private void softmaxCausal(float[] s) {
    for (int i = 0; i < time; i++) {
      int o = i * time;
      float max = Float.NEGATIVE_INFINITY;
      for (int j = 0; j <= i; j++) max = Math.max(max, s[o + j]);
      float sum = 0;
      for (int j = 0; j <= i; j++) {
        float e = FastExp.exp(s[o + j] - max);
        s[o + j] = e;
        sum += e;
      }
      float inv = 1f / sum;
      for (int j = 0; j <= i; j++) s[o + j] *= inv;
      for (int j = i + 1; j < time; j++) s[o + j] = 0f;
    }
  }

  /** Writes the gradient of {@code qkv} to {@code dqkv} given the gradient {@code dy} of the output. */
  void backward(NativeFloats qkv, NativeFloats probs, NativeFloats dy, NativeFloats dqkv) {
    int ld = 3 * width;
    int tt = time * time;
    for (int b = 0; b < batch; b++) {
      for (int h = 0; h < heads; h++) {
        long q = (long) b * time * ld + (long) h * headSize;
        long k = q + width;
        long v = q + 2L * width;
        long yOff = (long) b * time * width + (long) h * headSize;
        int p = (b * heads + h) * tt;
        // dP = dY V^T, dV = P^T dY
        blas.gemm(false, true, time, time, headSize, 1f, dy, yOff, width, qkv, v, ld, 0f, dProbs, 0, time);
        blas.gemm(true, false, time, headSize, time, 1f, probs, p, time, dy, yOff, width, 0f, dqkv, v, ld);
        // dS = P * (dP - rowsum(dP * P)) * scale; zero where masked since P is 0 there.
        probs.get(p, block, tt);
        dProbs.get(0, dBlock, tt);
        for (int i = 0; i < time; i++) {
          int o = i * time;
          float dot = 0;
          for (int j = 0; j <= i; j++) dot += dBlock[o + j] * block[o + j];
          for (int j = 0; j <= i; j++) dBlock[o + j] = block[o + j] * (dBlock[o + j] - dot) * scale;
          for (int j = i + 1; j < time; j++) dBlock[o + j] = 0f;
        }
        dProbs.put(0, dBlock, tt);
        // dQ = dS K, dK = dS^T Q
        blas.gemm(false, false, time, headSize, time, 1f, dProbs, 0, time, qkv, k, ld, 0f, dqkv, q, ld);
        blas.gemm(true, false, time, headSize, time, 1f, dProbs, 0, time, qkv, q, ld, 0f, dqkv, k, ld);
      }
    }
  }
}
