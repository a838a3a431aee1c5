package org.genai4j.samples.tutorial;

import java.util.Random;
import org.genai4j.common.ops.CausalSelfAttention;
import org.genai4j.common.ops.StepContext;
import org.genai4j.common.ops.Tensor;
import org.genai4j.datasets.TextCorpus;
import org.genai4j.llm.LlmEvaluation;
import org.genai4j.llm.LlmModel;
import org.genai4j.llm.model.GptConfig;
import org.genai4j.llm.model.PositionalEncoding;

/**
 * Chapter 3: attention alone cannot tell order; sinusoidal encodings (the formula, computed here)
 * and learned ones; three small GPTs trained alike with learned, sinusoidal and rotary positions.
 */
final class PositionalEncodings implements Chapter {

  @Override
  public int number() {
    return 3;
  }

  @Override
  public String title() {
    return "Positional encoding";
  }

  @Override
  public String page() {
    return "03-positions.md";
  }

  @Override
  public void run(ChapterRun run) {
    orderBlindness(run);
    double[][] pe = sinusoids(64, 128);
    Plots.heatMap(run.file("sinusoids.png"), pe, 4);
    run.say("wrote %s (64 positions down, 128 dimensions across)", run.file("sinusoids.png"));
    double a = dot(pe[10], pe[13]);
    double b = dot(pe[40], pe[43]);
    run.say("PE(10).PE(13) = %.6f, PE(40).PE(43) = %.6f", a, b);
    run.figure("sinusoid_dot_offset_3", a, 4);
    run.figure("dot_depends_on_offset_only", Math.abs(a - b) < 1e-9 ? "yes" : "no");

    // Scale: the sinusoids are added to token embeddings that GPT-2's initialization draws from N(0, 0.02^2).
    float[] wte = new org.genai4j.llm.model.Gpt(GptConfig.reference(), org.genai4j.common.ops.Params.init(1337))
        .params().get("transformer.wte.weight").value().toArray();
    double rowNorms = 0;
    for (int r = 0; r < 65; r++) {
      double sq = 0;
      for (int j = 0; j < 128; j++) {
        sq += wte[r * 128 + j] * wte[r * 128 + j];
      }
      rowNorms += Math.sqrt(sq) / 65;
    }
    run.figure("token_embedding_norm", rowNorms, 2);
    run.figure("sinusoid_norm", Math.sqrt(dot(pe[5], pe[5])), 2);

    TextCorpus corpus = SmallGpt.corpus(run);
    int iters = run.pick(60, 250);
    for (PositionalEncoding p : PositionalEncoding.values()) {
      GptConfig config = SmallGpt.config(run).withPositional(p);
      long t0 = System.nanoTime();
      LlmModel model = SmallGpt.train(run, corpus.train(), corpus.validation(), config, SmallGpt.options(run, iters))
          .model();
      double loss = LlmEvaluation.evaluate(model, corpus.validation(), run.pick(10, 50), 1).loss();
      String name = p.name().toLowerCase(java.util.Locale.ROOT);
      run.say("%-10s positions: %,d parameters, %d steps in %.0f s", name, model.parameterCount(), iters,
          (System.nanoTime() - t0) / 1e9);
      run.figure("params_" + name, model.parameterCount());
      run.figure("val_loss_" + name, loss, 3);
      if (p == PositionalEncoding.LEARNED) {
        float[] wpe = model.weights().get("transformer.wpe.weight").value().toArray();
        int c = model.config().nEmbd();
        int t = model.config().blockSize();
        double[][] sim = new double[t][t];
        double adjacent = 0;
        for (int i = 0; i < t; i++) {
          for (int j = 0; j < t; j++) {
            sim[i][j] = cosine(wpe, i * c, j * c, c);
          }
          adjacent += i > 0 ? sim[i][i - 1] / (t - 1) : 0;
        }
        Plots.heatMap(run.file("learned-similarity.png"), sim, 6);
        run.figure("learned_adjacent_cosine", adjacent, 2);
      }
    }
  }

  /** Without positions, the last token's attention output is the same for any order of the tokens before it. */
  private static void orderBlindness(ChapterRun run) {
    int t = 5;
    int c = 8;
    Random rng = new Random(3);
    float[] qkv = new float[t * 3 * c];
    for (int i = 0; i < qkv.length; i++) {
      qkv[i] = (float) rng.nextGaussian();
    }
    CausalSelfAttention attn = new CausalSelfAttention(2, c, t);
    float[] y = attn.forward(StepContext.inference(), Tensor.of(qkv, 1, t, 3 * c)).toArray();
    // "a b c d e" -> "c a d b e": the same tokens before e, in another order.
    int[] order = {2, 0, 3, 1, 4};
    float[] shuffled = new float[qkv.length];
    for (int i = 0; i < t; i++) {
      System.arraycopy(qkv, order[i] * 3 * c, shuffled, i * 3 * c, 3 * c);
    }
    float[] z = attn.forward(StepContext.inference(), Tensor.of(shuffled, 1, t, 3 * c)).toArray();
    double change = 0;
    for (int j = 0; j < c; j++) {
      change = Math.max(change, Math.abs(y[(t - 1) * c + j] - z[(t - 1) * c + j]));
    }
    run.say("last token's output after reordering the tokens before it changes by %.1e", change);
    run.figure("reordered_change_below_1e-6".replace("-", "_"), change < 1e-6 ? "yes" : "no");
  }

  /** PE(p, 2i) = sin(p / 10000^(2i/C)), PE(p, 2i+1) = cos(p / 10000^(2i/C)). */
  static double[][] sinusoids(int positions, int width) {
    double[][] pe = new double[positions][width];
    for (int p = 0; p < positions; p++) {
      for (int i = 0; i < width; i += 2) {
        double angle = p / Math.pow(10000, (double) i / width);
        pe[p][i] = Math.sin(angle);
        pe[p][i + 1] = Math.cos(angle);
      }
    }
    return pe;
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  private static double cosine(float[] w, int a, int b, int n) {
    double ab = 0;
    double aa = 0;
    double bb = 0;
    for (int i = 0; i < n; i++) {
      ab += w[a + i] * w[b + i];
      aa += w[a + i] * w[a + i];
      bb += w[b + i] * w[b + i];
    }
    return ab / Math.sqrt(aa * bb);
  }
}
