package org.genai4j.common.ops;

/**
 * The SwiGLU gate of Llama's MLP, {@code y = silu(gate) * up}, on a fused input {@code [..., 2H]}
 * whose first half is the gate and second half the up projection; the output is {@code [...,
 * H]}. A model computes both halves with one {@link Linear} of {@code 2H} outputs (one matrix
 * product instead of two; a Hugging Face checkpoint's {@code gate_proj} and {@code up_proj}
 * weights load as the first and second halves of its rows), then {@code down_proj} on the output.
 *
 * <p>SiLU is {@code g * sigmoid(g)} with the sigmoid as {@code 0.5 + 0.5 tanh(g/2)} ({@link
 * FastMath#tanh}: a rational function, so the loops vectorize). The forward pass keeps only a
 * reference to its input; the backward pass recomputes the sigmoid (cheaper than storing two
 * {@code [N, H]} tensors of a wide MLP).
 */
public final class SwiGlu implements Layer {
  private static final int CHUNK = 2048;
  private final float[] gate = new float[CHUNK];
  private final float[] up = new float[CHUNK];
  private final float[] out = new float[CHUNK];
  private final float[] dUp = new float[CHUNK];
  private Tensor x;
  private Tensor y;
  private Tensor dx;

  public SwiGlu() {}

  @Override
  public Tensor forward(StepContext ctx, Tensor x) {
    int half = halfOf(x);
    this.x = x;
    int[] shape = x.shape();
    shape[shape.length - 1] = half;
    y = Tensor.ensure(y, shape);
    int rows = x.length() / (2 * half);
    float[] g = gate;
    float[] u = up;
    float[] o = out;
    for (int r = 0; r < rows; r++) {
      int in = r * 2 * half;
      for (int at = 0; at < half; at += CHUNK) {
        int len = Math.min(CHUNK, half - at);
        readHalves(x, in, half, at, len);
        for (int i = 0; i < len; i++) {
          float v = g[i];
          o[i] = v * (0.5f + 0.5f * FastMath.tanh(0.5f * v)) * u[i];
        }
        y.write(r * half + at, o, 0, len);
      }
    }
    return y;
  }

  @Override
  public Tensor backward(StepContext ctx, Tensor dy) {
    if (x == null) {
      throw new IllegalStateException("SwiGLU: backward before forward");
    }
    int half = halfOf(x);
    int rows = x.length() / (2 * half);
    if (dy.length() != rows * half) {
      throw new IllegalArgumentException("SwiGLU: output gradient " + dy + " does not fit " + rows + " rows of " + half);
    }
    dx = Tensor.ensure(dx, x.shape());
    float[] g = gate;
    float[] u = up;
    float[] d = out;
    float[] du = dUp;
    for (int r = 0; r < rows; r++) {
      int in = r * 2 * half;
      for (int at = 0; at < half; at += CHUNK) {
        int len = Math.min(CHUNK, half - at);
        readHalves(x, in, half, at, len);
        dy.read(r * half + at, d, 0, len);
        // Two loops: as one, the body is too large for C2 to unroll, and it would not vectorize.
        for (int i = 0; i < len; i++) {
          du[i] = 0.5f + 0.5f * FastMath.tanh(0.5f * g[i]);
        }
        for (int i = 0; i < len; i++) {
          float v = g[i];
          float s = du[i];
          float dyi = d[i];
          du[i] = dyi * v * s;
          // d silu / d g = s (1 + g (1 - s))
          d[i] = dyi * u[i] * s * (1f + v * (1f - s));
        }
        dx.write(in + at, d, 0, len);
        dx.write(in + half + at, du, 0, len);
      }
    }
    return dx;
  }

  private static int halfOf(Tensor t) {
    int last = t.rank() == 0 ? 0 : t.dim(t.rank() - 1);
    if (last == 0 || last % 2 != 0) {
      throw new IllegalArgumentException("SwiGLU takes rows of [gate, up] of even width 2H, got " + t);
    }
    return last / 2;
  }

  /** Copies elements {@code [at, at + len)} of the row starting at {@code in}'s gate half and up half into {@link #gate} and {@link #up}. */
  private void readHalves(Tensor x, int in, int half, int at, int len) {
    x.read(in + at, gate, 0, len);
    x.read(in + half + at, up, 0, len);
  }
}
