package org.genai4j.llm.model;

import java.util.Map;

/**
 * The GPT's function in plain double-precision loops, written from nanoGPT's model.py (and
 * Llama's RMS norm, SwiGLU, rotary positions in both layouts and grouped-query attention)
 * independently of the ops: the oracle of the model's tests. Reads parameters by their nanoGPT
 * names; no dropout.
 */
final class ReferenceGpt {
  private final GptConfig c;
  private final Map<String, double[]> p;

  ReferenceGpt(GptConfig config, Map<String, double[]> params) {
    this.c = config;
    this.p = params;
  }

  /** The mean cross-entropy of the logits of {@code ids} ({@code [batch, time]}) against {@code targets}. */
  double loss(int[] ids, int[] targets, int batch, int time) {
    double[][] logits = logits(ids, batch, time);
    double sum = 0;
    for (int n = 0; n < logits.length; n++) {
      double max = Double.NEGATIVE_INFINITY;
      for (double v : logits[n]) {
        max = Math.max(max, v);
      }
      double z = 0;
      for (double v : logits[n]) {
        z += Math.exp(v - max);
      }
      sum += max + Math.log(z) - logits[n][targets[n]];
    }
    return sum / logits.length;
  }

  /** Logits {@code [batch*time][vocab]}. */
  double[][] logits(int[] ids, int batch, int time) {
    int width = c.nEmbd();
    int n = batch * time;
    double[][] x = new double[n][width];
    double[] wte = p.get("transformer.wte.weight");
    boolean sin = c.positional() == PositionalEncoding.SINUSOIDAL;
    for (int b = 0; b < batch; b++) {
      for (int t = 0; t < time; t++) {
        int r = b * time + t;
        for (int e = 0; e < width; e++) {
          double pos = sin ? sinusoid(t, e, width)
              : c.positional() == PositionalEncoding.ROTARY ? 0 : p.get("transformer.wpe.weight")[t * width + e];
          x[r][e] = wte[ids[r] * width + e] + pos;
        }
      }
    }
    for (int l = 0; l < c.nLayer(); l++) {
      String h = "transformer.h." + l;
      double[][] qkv = linear(norm(x, h + ".ln_1"), h + ".attn.c_attn");
      add(x, linear(attention(qkv, batch, time), h + ".attn.c_proj"));
      double[][] f = linear(norm(x, h + ".ln_2"), h + ".mlp.c_fc");
      add(x, linear(c.mlp() == GptConfig.Mlp.GELU ? gelu(f) : swiglu(f), h + ".mlp.c_proj"));
    }
    double[][] hf = norm(x, "transformer.ln_f");
    double[] head = c.tieWeights() ? wte : p.get("lm_head.weight");
    double[][] logits = new double[n][c.vocabSize()];
    for (int r = 0; r < n; r++) {
      for (int v = 0; v < c.vocabSize(); v++) {
        double s = 0;
        for (int e = 0; e < width; e++) {
          s += hf[r][e] * head[v * width + e];
        }
        logits[r][v] = s;
      }
    }
    return logits;
  }

  /** Vaswani et al.: {@code sin(t / 10000^(2i/width))} in column 2i, {@code cos} of it in column 2i+1. */
  private static double sinusoid(int t, int column, int width) {
    double angle = t / Math.pow(10000, (double) (column - column % 2) / width);
    return column % 2 == 0 ? Math.sin(angle) : Math.cos(angle);
  }

  private double[][] norm(double[][] x, String name) {
    double[] w = p.get(name + ".weight");
    double[] bias = p.get(name + ".bias");
    int d = w.length;
    double[][] y = new double[x.length][d];
    for (int r = 0; r < x.length; r++) {
      double mean = 0;
      if (c.norm() == GptConfig.Norm.LAYER) {
        for (double v : x[r]) {
          mean += v / d;
        }
      }
      double var = 0;
      for (double v : x[r]) {
        var += (v - mean) * (v - mean) / d;
      }
      double rstd = 1 / Math.sqrt(var + c.normEps());
      for (int e = 0; e < d; e++) {
        y[r][e] = (x[r][e] - mean) * rstd * w[e] + (bias == null ? 0 : bias[e]);
      }
    }
    return y;
  }

  /** {@code x W^T + b} with PyTorch's {@code [out, in]} weight. */
  private double[][] linear(double[][] x, String name) {
    double[] w = p.get(name + ".weight");
    double[] b = p.get(name + ".bias");
    int in = x[0].length;
    int out = w.length / in;
    double[][] y = new double[x.length][out];
    for (int r = 0; r < x.length; r++) {
      for (int o = 0; o < out; o++) {
        double s = b == null ? 0 : b[o];
        for (int i = 0; i < in; i++) {
          s += x[r][i] * w[o * in + i];
        }
        y[r][o] = s;
      }
    }
    return y;
  }

  /**
   * Rotates pair {@code i} of every query and key head of row {@code r} (position {@code t}) by
   * {@code t theta^(-2i/d)}: coordinates {@code (i, i + d/2)} in the half layout, {@code (2i, 2i + 1)} in pairs.
   */
  private void rotate(double[][] qkv, int time) {
    int d = c.headSize();
    int heads = c.nHead() + c.kvHeads();
    boolean halves = c.ropeLayout() == org.genai4j.common.ops.RotaryEmbedding.Layout.HALVES;
    for (int r = 0; r < qkv.length; r++) {
      int t = r % time;
      for (int h = 0; h < heads; h++) {
        for (int i = 0; i < d / 2; i++) {
          int a = h * d + (halves ? i : 2 * i);
          int b = a + (halves ? d / 2 : 1);
          double angle = t * Math.pow(c.ropeTheta(), -2.0 * i / d);
          double x0 = qkv[r][a];
          double x1 = qkv[r][b];
          qkv[r][a] = x0 * Math.cos(angle) - x1 * Math.sin(angle);
          qkv[r][b] = x0 * Math.sin(angle) + x1 * Math.cos(angle);
        }
      }
    }
  }

  /** Causal attention over rows {@code [q (nHead d) | k (kvHeads d) | v (kvHeads d)]}; query head h reads key/value head h / group. */
  private double[][] attention(double[][] qkv, int batch, int time) {
    if (c.positional() == PositionalEncoding.ROTARY) {
      rotate(qkv, time);
    }
    int width = c.nEmbd();
    int d = c.headSize();
    int kvWidth = c.kvHeads() * d;
    int group = c.nHead() / c.kvHeads();
    double[][] y = new double[qkv.length][width];
    for (int b = 0; b < batch; b++) {
      for (int h = 0; h < c.nHead(); h++) {
        int k = width + (h / group) * d;
        int v = width + kvWidth + (h / group) * d;
        for (int i = 0; i < time; i++) {
          double[] s = new double[i + 1];
          double max = Double.NEGATIVE_INFINITY;
          for (int j = 0; j <= i; j++) {
            double dot = 0;
            for (int e = 0; e < d; e++) {
              dot += qkv[b * time + i][h * d + e] * qkv[b * time + j][k + e];
            }
            s[j] = dot / Math.sqrt(d);
            max = Math.max(max, s[j]);
          }
          double z = 0;
          for (int j = 0; j <= i; j++) {
            s[j] = Math.exp(s[j] - max);
            z += s[j];
          }
          for (int e = 0; e < d; e++) {
            double acc = 0;
            for (int j = 0; j <= i; j++) {
              acc += s[j] / z * qkv[b * time + j][v + e];
            }
            y[b * time + i][h * d + e] = acc;
          }
        }
      }
    }
    return y;
  }

  /** GPT-2's GELU, {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}. */
  private static double[][] gelu(double[][] f) {
    double[][] g = new double[f.length][f[0].length];
    for (int r = 0; r < f.length; r++) {
      for (int e = 0; e < f[r].length; e++) {
        double v = f[r][e];
        g[r][e] = 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
      }
    }
    return g;
  }

  /** {@code silu(gate) * up} of {@code [gate | up]} rows. */
  private static double[][] swiglu(double[][] f) {
    int half = f[0].length / 2;
    double[][] g = new double[f.length][half];
    for (int r = 0; r < f.length; r++) {
      for (int e = 0; e < half; e++) {
        double v = f[r][e];
        g[r][e] = v / (1 + Math.exp(-v)) * f[r][half + e];
      }
    }
    return g;
  }

  private static void add(double[][] x, double[][] y) {
    for (int r = 0; r < x.length; r++) {
      for (int e = 0; e < x[r].length; e++) {
        x[r][e] += y[r][e];
      }
    }
  }
}
