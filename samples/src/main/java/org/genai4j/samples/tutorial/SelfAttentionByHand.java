package org.genai4j.samples.tutorial;

import java.util.Random;
import org.genai4j.common.ops.CausalSelfAttention;
import org.genai4j.common.ops.StepContext;
import org.genai4j.common.ops.Tensor;

/**
 * Chapter 2: self-attention computed by hand with plain Java arrays, for one head and then two,
 * and checked against the library's {@link CausalSelfAttention} op on the same numbers.
 */
final class SelfAttentionByHand implements Chapter {
  /** Tokens in the sequence, width of each token's vector, attention heads. */
  static final int T = 5;
  static final int C = 8;
  static final int HEADS = 2;

  @Override
  public int number() {
    return 2;
  }

  @Override
  public String title() {
    return "Self-attention by hand";
  }

  @Override
  public String page() {
    return "02-attention.md";
  }

  @Override
  public void run(ChapterRun run) {
    Random rng = new Random(2);
    double[][] x = gaussian(rng, T, C, 1.0);   // 5 token vectors of width 8 (embeddings would give these)
    double[][] wq = gaussian(rng, C, C, 0.5);  // the three learned projections
    double[][] wk = gaussian(rng, C, C, 0.5);
    double[][] wv = gaussian(rng, C, C, 0.5);
    double[][] q = matmul(x, wq);
    double[][] k = matmul(x, wk);
    double[][] v = matmul(x, wv);

    // One head over all C columns: scores, mask, softmax, weighted sum of values.
    double[][] p = attentionWeights(q, k, 0, C);
    run.say("attention weights of one head (row t: how much token t reads each token):");
    for (double[] row : p) {
      StringBuilder s = new StringBuilder("  ");
      for (double w : row) {
        s.append(String.format(java.util.Locale.ROOT, "%6.3f", w));
      }
      run.say("%s", s);
    }
    run.figure("weight_0_0", p[0][0], 3);
    run.figure("weight_4_4", p[T - 1][T - 1], 3);
    double maxRowSumError = 0;
    int zeros = 0;
    for (int t = 0; t < T; t++) {
      double sum = 0;
      for (int s = 0; s < T; s++) {
        sum += p[t][s];
        if (p[t][s] == 0) {
          zeros++;
        }
      }
      maxRowSumError = Math.max(maxRowSumError, Math.abs(sum - 1));
    }
    run.figure("rows_sum_to_one", maxRowSumError < 1e-12 ? "yes" : "no");
    run.figure("masked_weights", zeros);

    // Two heads: each reads its own d_k = C / heads columns of Q, K and V; outputs side by side.
    double[][] y = multiHead(q, k, v, HEADS);

    // The library's op takes q, k and v fused in one row per token, [B, T, 3C], as c_attn makes them.
    float[] qkv = new float[T * 3 * C];
    for (int t = 0; t < T; t++) {
      for (int c = 0; c < C; c++) {
        qkv[t * 3 * C + c] = (float) q[t][c];
        qkv[t * 3 * C + C + c] = (float) k[t][c];
        qkv[t * 3 * C + 2 * C + c] = (float) v[t][c];
      }
    }
    CausalSelfAttention op = new CausalSelfAttention(HEADS, C, T);
    float[] opY = op.forward(StepContext.inference(), Tensor.of(qkv, 1, T, 3 * C)).toArray();
    double maxDiff = 0;
    for (int t = 0; t < T; t++) {
      for (int c = 0; c < C; c++) {
        maxDiff = Math.max(maxDiff, Math.abs(y[t][c] - opY[t * C + c]));
      }
    }
    run.say("largest difference between the hand-written heads and CausalSelfAttention: %.2e", maxDiff);
    run.figure("op_matches", maxDiff < 1e-6 ? "yes" : "no");

    // Causality: change the last token; no earlier output may move.
    for (int c = 0; c < 3 * C; c++) {
      qkv[(T - 1) * 3 * C + c] += 1f;
    }
    float[] changed = op.forward(StepContext.inference(), Tensor.of(qkv, 1, T, 3 * C)).toArray();
    double leak = 0;
    for (int i = 0; i < (T - 1) * C; i++) {
      leak = Math.max(leak, Math.abs(changed[i] - opY[i]));
    }
    run.figure("future_leak", leak, 1);
  }

  /** softmax(Q K^T / sqrt(d_k) + mask) for the columns [from, from + width) of q and k. */
  static double[][] attentionWeights(double[][] q, double[][] k, int from, int width) {
    int n = q.length;
    double[][] p = new double[n][n];
    for (int t = 0; t < n; t++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int s = 0; s <= t; s++) { // s > t is the future: masked (its weight stays 0)
        double dot = 0;
        for (int c = from; c < from + width; c++) {
          dot += q[t][c] * k[s][c];
        }
        p[t][s] = dot / Math.sqrt(width);
        max = Math.max(max, p[t][s]);
      }
      double sum = 0;
      for (int s = 0; s <= t; s++) {
        p[t][s] = Math.exp(p[t][s] - max); // minus the max: the same softmax, no overflow
        sum += p[t][s];
      }
      for (int s = 0; s <= t; s++) {
        p[t][s] /= sum;
      }
    }
    return p;
  }

  /** Multi-head attention: head h uses columns [h d_k, (h+1) d_k); its output goes to the same columns. */
  static double[][] multiHead(double[][] q, double[][] k, double[][] v, int heads) {
    int n = q.length;
    int width = q[0].length;
    int dk = width / heads;
    double[][] y = new double[n][width];
    for (int h = 0; h < heads; h++) {
      double[][] p = attentionWeights(q, k, h * dk, dk);
      for (int t = 0; t < n; t++) {
        for (int s = 0; s < n; s++) {
          for (int c = h * dk; c < (h + 1) * dk; c++) {
            y[t][c] += p[t][s] * v[s][c];
          }
        }
      }
    }
    return y;
  }

  static double[][] gaussian(Random rng, int rows, int cols, double std) {
    double[][] a = new double[rows][cols];
    for (double[] row : a) {
      for (int j = 0; j < cols; j++) {
        row[j] = (float) (rng.nextGaussian() * std); // float values: the op computes in float
      }
    }
    return a;
  }

  static double[][] matmul(double[][] a, double[][] b) {
    double[][] c = new double[a.length][b[0].length];
    for (int i = 0; i < a.length; i++) {
      for (int k = 0; k < b.length; k++) {
        for (int j = 0; j < b[0].length; j++) {
          c[i][j] += a[i][k] * b[k][j];
        }
      }
    }
    for (double[] row : c) {
      for (int j = 0; j < row.length; j++) {
        row[j] = (float) row[j];
      }
    }
    return c;
  }
}
