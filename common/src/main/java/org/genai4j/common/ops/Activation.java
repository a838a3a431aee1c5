package org.genai4j.common.ops;

/**
 * An element-wise activation {@code y = f(x)}: ReLU, leaky ReLU, tanh, sigmoid, GELU (GPT-2's
 * tanh form or the exact erf form), SiLU. In training the forward pass also keeps {@code f'(x)}, so
 * the backward pass is one multiply per element. The loops run over chunks copied into Java
 * arrays, one loop per function, free of calls and branches so that the JIT vectorizes them
 * ({@link FastMath}).
 */
public final class Activation implements Layer {

  /** The functions. */
  public enum Kind { RELU, LEAKY_RELU, TANH, SIGMOID, GELU_TANH, GELU_ERF, SILU }

  private static final int CHUNK = 2048;
  private static final float SQRT_2_OVER_PI = 0.7978845608028654f;
  private static final float GELU_C = 0.044715f;
  private static final float INV_SQRT_2 = 0.7071067811865476f;
  private static final float INV_SQRT_2PI = 0.3989422804014327f;

  private final Kind kind;
  private final float slope;
  private final float[] in = new float[CHUNK];
  private final float[] out = new float[CHUNK];
  private final float[] derivative = new float[CHUNK];
  private Tensor y;
  private Tensor dydx;
  private Tensor dx;
  private boolean kept;

  private Activation(Kind kind, float slope) {
    this.kind = kind;
    this.slope = slope;
  }

  public static Activation of(Kind kind) {
    if (kind == Kind.LEAKY_RELU) {
      throw new IllegalArgumentException("a leaky ReLU needs its slope: use Activation.leakyRelu(slope)");
    }
    return new Activation(kind, 0f);
  }

  /** {@code max(x, slope x)} for a slope in [0, 1] (DCGAN: 0.2). */
  public static Activation leakyRelu(double slope) {
    if (!(slope >= 0 && slope <= 1)) {
      throw new IllegalArgumentException("leaky ReLU slope must be in [0, 1], got " + slope);
    }
    return new Activation(Kind.LEAKY_RELU, (float) slope);
  }

  public static Activation relu() {
    return of(Kind.RELU);
  }

  public static Activation tanh() {
    return of(Kind.TANH);
  }

  public static Activation sigmoid() {
    return of(Kind.SIGMOID);
  }

  /** GELU in GPT-2's tanh approximation. */
  public static Activation geluTanh() {
    return of(Kind.GELU_TANH);
  }

  /** GELU with the exact Gaussian CDF {@code 0.5 (1 + erf(x / sqrt 2))}. */
  public static Activation geluErf() {
    return of(Kind.GELU_ERF);
  }

  public static Activation silu() {
    return of(Kind.SILU);
  }

  public Kind kind() {
    return kind;
  }

  @Override
  public Tensor forward(StepContext ctx, Tensor x) {
    y = Tensor.ensure(y, x.shape());
    kept = ctx.training();
    if (kept) {
      dydx = Tensor.ensure(dydx, x.shape());
    }
    int n = x.length();
    for (int at = 0; at < n; at += CHUNK) {
      int len = Math.min(CHUNK, n - at);
      x.read(at, in, 0, len);
      apply(len);
      y.write(at, out, 0, len);
      if (kept) {
        dydx.write(at, derivative, 0, len);
      }
    }
    return y;
  }

  @Override
  public Tensor backward(StepContext ctx, Tensor dy) {
    if (!kept) {
      throw new IllegalStateException("activation " + kind + ": backward needs a forward pass in training mode");
    }
    if (dy.length() != dydx.length()) {
      throw new IllegalArgumentException("activation " + kind + ": gradient " + dy + " does not fit " + dydx);
    }
    dx = Tensor.ensure(dx, dydx.shape());
    int n = dy.length();
    for (int at = 0; at < n; at += CHUNK) {
      int len = Math.min(CHUNK, n - at);
      dy.read(at, in, 0, len);
      dydx.read(at, derivative, 0, len);
      for (int i = 0; i < len; i++) {
        out[i] = in[i] * derivative[i];
      }
      dx.write(at, out, 0, len);
    }
    return dx;
  }

  /** {@code out = f(in)}, {@code derivative = f'(in)} over the first {@code len} elements. */
  private void apply(int len) {
    float[] a = in;
    float[] o = out;
    float[] d = derivative;
    switch (kind) {
      case RELU, LEAKY_RELU -> {
        float s = slope;
        float rest = 1 - s;
        for (int i = 0; i < len; i++) {
          float v = a[i];
          o[i] = Math.max(v, s * v);
          // 1 for v > 0, else slope, without a branch: v * MAX_VALUE is >= 1 for every positive normal float.
          d[i] = s + rest * Math.min(1f, Math.max(0f, v * Float.MAX_VALUE));
        }
      }
      case TANH -> {
        for (int i = 0; i < len; i++) {
          float t = FastMath.tanh(a[i]);
          o[i] = t;
          d[i] = 1f - t * t;
        }
      }
      // Sigmoid, GELU and SiLU take two or three loops: the first puts the rational function (or
      // exp) into the derivative's array, the next ones finish from it. As one loop the body is
      // too large for C2 to unroll, and it stays scalar (about 10x slower).
      case SIGMOID -> {
        for (int i = 0; i < len; i++) {
          d[i] = FastMath.tanh(0.5f * a[i]);
        }
        for (int i = 0; i < len; i++) {
          float s = 0.5f + 0.5f * d[i];
          o[i] = s;
          d[i] = s * (1f - s);
        }
      }
      case GELU_TANH -> {
        for (int i = 0; i < len; i++) {
          float v = a[i];
          d[i] = FastMath.tanh(SQRT_2_OVER_PI * (v + GELU_C * v * v * v));
        }
        for (int i = 0; i < len; i++) {
          float v = a[i];
          float t = d[i];
          o[i] = 0.5f * v * (1f + t);
          d[i] = 0.5f * (1f + t) + 0.5f * v * (1f - t * t) * SQRT_2_OVER_PI * (1f + 3f * GELU_C * v * v);
        }
      }
      case GELU_ERF -> {
        for (int i = 0; i < len; i++) {
          o[i] = FastMath.erf(a[i] * INV_SQRT_2);
        }
        for (int i = 0; i < len; i++) {
          float v = a[i];
          d[i] = FastMath.exp(-0.5f * v * v);
        }
        for (int i = 0; i < len; i++) {
          float v = a[i];
          float cdf = 0.5f * (1f + o[i]);
          o[i] = v * cdf;
          d[i] = cdf + v * INV_SQRT_2PI * d[i];
        }
      }
      case SILU -> {
        for (int i = 0; i < len; i++) {
          d[i] = FastMath.tanh(0.5f * a[i]);
        }
        for (int i = 0; i < len; i++) {
          float v = a[i];
          float s = 0.5f + 0.5f * d[i];
          o[i] = v * s;
          d[i] = s * (1f + v * (1f - s));
        }
      }
      default -> throw new IllegalStateException("unknown activation " + kind);
    }
  }
}
