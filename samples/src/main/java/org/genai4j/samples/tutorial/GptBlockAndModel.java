package org.genai4j.samples.tutorial;

import java.util.Random;
import org.genai4j.common.ops.Activation;
import org.genai4j.common.ops.LayerNorm;
import org.genai4j.common.ops.Param;
import org.genai4j.common.ops.Params;
import org.genai4j.common.ops.StepContext;
import org.genai4j.common.ops.Tensor;
import org.genai4j.llm.model.Gpt;
import org.genai4j.llm.model.GptConfig;

/**
 * Chapter 4: the pieces of a GPT block checked by hand (layer norm, GELU), the whole model's
 * parameters counted by formula and by the library, weight tying, FLOPs per token, and the loss
 * of an untrained model.
 */
final class GptBlockAndModel implements Chapter {

  @Override
  public int number() {
    return 4;
  }

  @Override
  public String title() {
    return "The GPT block and model";
  }

  @Override
  public String page() {
    return "04-gpt.md";
  }

  @Override
  public void run(ChapterRun run) {
    layerNormByHand(run);
    geluByHand(run);

    GptConfig config = GptConfig.reference(); // V=65, L=4, heads=4, C=128, T=64
    Gpt gpt = new Gpt(config, Params.init(1337));
    run.say("the parameters of block 0 (nanoGPT's names, PyTorch's [out, in] layout):");
    for (Param p : gpt.params().list()) {
      if (!p.name().startsWith("transformer.h.") || p.name().startsWith("transformer.h.0.")) {
        run.say("  %-36s %s", p.name(), java.util.Arrays.toString(p.shape()));
      }
    }
    long v = config.vocabSize();
    long c = config.nEmbd();
    long t = config.blockSize();
    long l = config.nLayer();
    long perBlock = 12 * c * c + 13 * c; // qkv 3C^2+3C, proj C^2+C, MLP 8C^2+5C, two norms 4C
    long byHand = v * c + t * c + l * perBlock + 2 * c;
    run.figure("params_per_block", perBlock);
    run.figure("params_by_formula", byHand);
    run.figure("params_counted", gpt.params().count());
    run.figure("params_untied", config.withTieWeights(false).parameterCount());
    run.figure("params_gpt2_124m", GptConfig.of(50257, 12, 12, 768, 1024).parameterCount());

    long forward = l * (24 * c * c + 4 * t * c) + 2 * v * c;
    run.figure("forward_flops_per_token", forward);
    run.figure("train_flops_per_token", 3 * forward);

    // An untrained model guesses uniformly: its loss is about ln(V).
    int b = 12;
    Random rng = new Random(4);
    int[] x = new int[b * (int) t];
    int[] y = new int[b * (int) t];
    for (int i = 0; i < x.length; i++) {
      x[i] = rng.nextInt((int) v);
      y[i] = rng.nextInt((int) v);
    }
    StepContext ctx = StepContext.training(1337, 0);
    int reps = run.pick(3, 20);
    double loss = 0;
    long t0 = System.nanoTime();
    for (int i = 0; i < reps; i++) {
      gpt.params().list().forEach(Param::zeroGrad);
      gpt.forward(ctx, x, b, (int) t);
      loss = gpt.loss(ctx, y);
      gpt.backward(ctx);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    run.figure("ln_vocab", Math.log(v), 3);
    run.figure("init_loss", loss, 3);
    run.say("forward + backward of %d x %d tokens: %.1f ms, %.1f GFLOP/s (this machine, one thread)", b, t,
        1e3 * seconds / reps, 3.0 * forward * b * t * reps / seconds / 1e9);
  }

  /** y = (x - mean) / sqrt(var + eps) * gain + bias, per row, against the library's LayerNorm. */
  private static void layerNormByHand(ChapterRun run) {
    int width = 16;
    Random rng = new Random(5);
    Params params = Params.init(5);
    LayerNorm ln = new LayerNorm(params, "ln", width);
    float[] x = new float[2 * width];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (3 + 2 * rng.nextGaussian());
    }
    float[] gain = new float[width];
    float[] bias = new float[width];
    for (int i = 0; i < width; i++) {
      gain[i] = (float) (1 + 0.1 * rng.nextGaussian());
      bias[i] = (float) (0.1 * rng.nextGaussian());
    }
    ln.weight().value().write(0, gain, 0, width);
    ln.bias().value().write(0, bias, 0, width);
    float[] y = ln.forward(StepContext.inference(), Tensor.of(x, 2, width)).toArray();
    double maxDiff = 0;
    for (int r = 0; r < 2; r++) {
      double mean = 0;
      for (int i = 0; i < width; i++) {
        mean += x[r * width + i] / (double) width;
      }
      double var = 0;
      for (int i = 0; i < width; i++) {
        var += Math.pow(x[r * width + i] - mean, 2) / width; // the biased variance, as PyTorch
      }
      for (int i = 0; i < width; i++) {
        double expected = (x[r * width + i] - mean) / Math.sqrt(var + 1e-5) * gain[i] + bias[i];
        maxDiff = Math.max(maxDiff, Math.abs(expected - y[r * width + i]));
      }
    }
    run.say("layer norm by hand vs LayerNorm: largest difference %.1e", maxDiff);
    run.figure("layer_norm_matches", maxDiff < 1e-5 ? "yes" : "no");
  }

  /** GELU, GPT-2's tanh form, against the library's activation. */
  private static void geluByHand(ChapterRun run) {
    float[] x = new float[41];
    for (int i = 0; i < x.length; i++) {
      x[i] = -4 + 0.2f * i;
    }
    float[] y = Activation.geluTanh().forward(StepContext.inference(), Tensor.of(x, 1, x.length)).toArray();
    double maxDiff = 0;
    for (int i = 0; i < x.length; i++) {
      double g = 0.5 * x[i] * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x[i] + 0.044715 * Math.pow(x[i], 3))));
      maxDiff = Math.max(maxDiff, Math.abs(g - y[i]));
    }
    run.say("GELU by hand vs Activation.geluTanh(): largest difference %.1e", maxDiff);
    run.figure("gelu_matches", maxDiff < 1e-5 ? "yes" : "no");
  }
}
