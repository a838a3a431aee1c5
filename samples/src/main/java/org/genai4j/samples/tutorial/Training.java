package org.genai4j.samples.tutorial;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.genai4j.common.eval.LossPlot;
import org.genai4j.common.ops.Param;
import org.genai4j.common.ops.Params;
import org.genai4j.common.ops.StepContext;
import org.genai4j.common.train.GradientClipping;
import org.genai4j.common.train.LrSchedule;
import org.genai4j.common.train.Optimizer;
import org.genai4j.common.train.OptimizerConfig;
import org.genai4j.common.train.StepRecord;
import org.genai4j.common.train.TrainingListener;
import org.genai4j.datasets.TextCorpus;
import org.genai4j.llm.LlmModel;
import org.genai4j.llm.model.Gpt;
import org.genai4j.llm.model.GptConfig;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Chapter 5: the loss by hand, a gradient checked by finite differences, the AdamW update written
 * out and checked against the library's optimizer, warmup and cosine decay, clipping, and a run
 * interrupted and resumed from its checkpoint that ends exactly where an uninterrupted one does.
 */
final class Training implements Chapter {

  @Override
  public int number() {
    return 5;
  }

  @Override
  public String title() {
    return "Training";
  }

  @Override
  public String page() {
    return "05-training.md";
  }

  @Override
  public void run(ChapterRun run) throws Exception {
    lossAndGradient(run);
    adamByHand(run);
    schedule(run);

    TextCorpus corpus = SmallGpt.corpus(run);
    int iters = run.pick(60, 500);
    Path straight = run.out().resolve("run");
    Path interrupted = run.out().resolve("run-resumed");
    for (Path dir : new Path[] {straight, interrupted}) {
      org.genai4j.common.util.FileTrees.delete(dir);
    }
    NormLog norms = new NormLog();
    long t0 = System.nanoTime();
    LlmModel a = SmallGpt.train(run, corpus.train(), corpus.validation(), SmallGpt.config(run),
        SmallGpt.options(run, iters).withOut(straight).withLogEvery(1), norms).model();
    run.say("%d steps in %.0f s; the run folder holds:", iters, (System.nanoTime() - t0) / 1e9);
    try (Stream<Path> files = Files.walk(straight)) {
      files.filter(Files::isRegularFile).map(straight::relativize).filter(f -> !f.toString().startsWith(".")).sorted()
          .forEach(f -> run.say("  %s", f));
    }
    run.figure("first_loss", norms.losses.get(0), 2);
    run.figure("final_train_loss", a.step() == iters ? mean(norms.losses.subList(iters - 10, iters)) : Double.NaN, 2);
    run.figure("first_grad_norm", norms.norms.get(0), 2);
    long clipped = norms.norms.stream().filter(n -> n > 1.0).count();
    run.figure("clipped_steps", clipped);
    LossPlot.write(straight.resolve("metrics.jsonl"), List.of("loss", "eval/val_loss"), run.file("loss.png"), 640, 400,
        "training loss");

    // The same run, stopped halfway and resumed from checkpoints/last.
    SmallGpt.train(run, corpus.train(), corpus.validation(), SmallGpt.config(run),
        SmallGpt.options(run, iters).withOut(interrupted).withLogEvery(1), new StopAt(iters / 2));
    long stoppedAt = org.genai4j.common.train.Checkpoint.readStep(interrupted.resolve("checkpoints/last"));
    run.figure("stopped_at_step", stoppedAt);
    LlmModel b = SmallGpt.train(run, corpus.train(), corpus.validation(), SmallGpt.config(run),
        SmallGpt.options(run, iters).withOut(interrupted).withResume(true)).model();
    double diff = 0;
    for (Param p : a.weights().list()) {
      float[] x = p.value().toArray();
      float[] y = b.weights().get(p.name()).value().toArray();
      for (int i = 0; i < x.length; i++) {
        diff = Math.max(diff, Math.abs(x[i] - y[i]));
      }
    }
    run.say("largest weight difference, resumed vs uninterrupted: %s", diff);
    run.figure("resume_identical", diff == 0 ? "yes" : "no");
  }

  /** Cross-entropy by hand from the logits, and one weight's gradient against a finite difference. */
  private static void lossAndGradient(ChapterRun run) {
    GptConfig config = GptConfig.of(65, 1, 2, 16, 8);
    Gpt gpt = new Gpt(config, Params.init(7));
    Random rng = new Random(7);
    int b = 2;
    int t = 8;
    int[] x = new int[b * t];
    int[] y = new int[b * t];
    for (int i = 0; i < x.length; i++) {
      x[i] = rng.nextInt(65);
      y[i] = rng.nextInt(65);
    }
    StepContext ctx = StepContext.training(7, 0);
    float[] logits = gpt.forward(ctx, x, b, t).toArray();
    double byHand = 0;
    for (int row = 0; row < b * t; row++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int v = 0; v < 65; v++) {
        max = Math.max(max, logits[row * 65 + v]);
      }
      double sum = 0;
      for (int v = 0; v < 65; v++) {
        sum += Math.exp(logits[row * 65 + v] - max);
      }
      byHand += -(logits[row * 65 + y[row]] - max - Math.log(sum)) / (b * t); // -log p(target)
    }
    gpt.params().list().forEach(Param::zeroGrad);
    double loss = gpt.loss(ctx, y);
    gpt.backward(ctx);
    run.say("loss by hand %.6f, Gpt.loss %.6f", byHand, loss);
    run.figure("loss_matches", Math.abs(byHand - loss) < 1e-5 ? "yes" : "no");

    // d loss / d w for one weight: backward's answer against (L(w + h) - L(w - h)) / 2h.
    Param w = gpt.params().get("transformer.h.0.mlp.c_fc.weight");
    int i = 5;
    double analytic = w.grad().get(i);
    float original = w.value().get(i);
    float h = 1e-2f;
    StepContext eval = StepContext.inference();
    w.value().set(i, original + h);
    gpt.forward(eval, x, b, t);
    double up = gpt.loss(eval, y);
    w.value().set(i, original - h);
    gpt.forward(eval, x, b, t);
    double down = gpt.loss(eval, y);
    w.value().set(i, original);
    double numeric = (up - down) / (2 * h);
    double rel = Math.abs(analytic - numeric) / Math.max(1e-12, Math.abs(analytic) + Math.abs(numeric));
    run.say("gradient of %s[%d]: backward %.6e, finite difference %.6e, relative difference %.1e", w.name(), i,
        analytic, numeric, rel);
    run.figure("gradient_matches", rel < 1e-2 ? "yes" : "no");
  }

  /** AdamW written out, step by step, against the library's Optimizer on the same gradients. */
  private static void adamByHand(ChapterRun run) {
    double lr = 0.01;
    double b1 = 0.9;
    double b2 = 0.99;
    double eps = 1e-8;
    double wd = 0.1;
    Random rng = new Random(8);
    int n = 6;
    double[] p = new double[n];
    for (int i = 0; i < n; i++) {
      p[i] = (float) rng.nextGaussian();
    }
    INDArray w = Nd4j.create(toFloats(p), new long[] {2, 3}); // a matrix: weight decay applies
    Optimizer optimizer = new Optimizer(OptimizerConfig.adamW(LrSchedule.constant(lr), b1, b2, wd), Map.of("w", w));
    double[] m = new double[n];
    double[] v = new double[n];
    for (int step = 0; step < 5; step++) {
      double[] g = new double[n];
      for (int i = 0; i < n; i++) {
        g[i] = (float) rng.nextGaussian();
      }
      optimizer.step(Map.of("w", w), Map.of("w", Nd4j.create(toFloats(g), new long[] {2, 3})), step);
      int t = step + 1;
      for (int i = 0; i < n; i++) {
        p[i] *= 1 - lr * wd;                                   // decoupled weight decay (the W in AdamW)
        m[i] = b1 * m[i] + (1 - b1) * g[i];                    // first moment: a running mean of g
        v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];             // second moment: a running mean of g^2
        double alpha = lr * Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t)); // bias corrections
        p[i] -= alpha * m[i] / (Math.sqrt(v[i]) + eps);
      }
    }
    double diff = 0;
    float[] got = w.data().asFloat();
    for (int i = 0; i < n; i++) {
      diff = Math.max(diff, Math.abs(got[i] - p[i]));
    }
    run.say("AdamW by hand vs Optimizer after 5 steps: largest difference %.1e", diff);
    run.figure("adam_matches", diff < 1e-6 ? "yes" : "no");
  }

  /** nanoGPT's schedule: linear warmup to the peak, cosine decay to the floor. */
  private static void schedule(ChapterRun run) {
    LrSchedule lr = LrSchedule.warmupCosine(1e-3, 1e-4, 100, 2000);
    for (long step : new long[] {0, 49, 99, 1050, 1999, 2500}) {
      run.figure("lr_at_" + step, lr.lr(step) * 1e4, 4); // in units of 1e-4
    }
    double[][] xy = new double[2][2500];
    for (int s = 0; s < 2500; s++) {
      xy[0][s] = s;
      xy[1][s] = lr.lr(s) * 1e4;
    }
    Plots.lines(run.file("schedule.png"), "warmup and cosine decay", "step", "learning rate (1e-4)",
        Map.of("warmupCosine(1e-3, 1e-4, 100, 2000)", xy));
    run.figure("clip_scale_norm_4", GradientClipping.clipScale(4.0, 1.0), 2);
    run.figure("clip_scale_norm_half", GradientClipping.clipScale(0.5, 1.0), 2);
  }

  private static float[] toFloats(double[] d) {
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }

  private static double mean(List<Double> xs) {
    return xs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
  }

  /** Keeps every logged step's loss and gradient norm (the norm before clipping). */
  private static final class NormLog implements TrainingListener {
    final List<Double> losses = new ArrayList<>();
    final List<Double> norms = new ArrayList<>();

    @Override
    public void onStep(StepRecord r) {
      if (r.metrics().containsKey("gpt/grad_norm")) {
        losses.add(r.loss());
        norms.add(r.metrics().get("gpt/grad_norm"));
      }
    }
  }

  /** Stops a run after {@code step} steps, as Ctrl-C or a time budget would, with a checkpoint there. */
  private static final class StopAt implements TrainingListener {
    private final long step;
    private boolean reached;

    StopAt(long step) {
      this.step = step;
    }

    @Override
    public void onStep(StepRecord r) {
      // The trainer asks after each step, before that step's record: stop after the next one.
      reached = r.step() + 1 >= step;
    }

    @Override
    public boolean stopRequested() {
      return reached;
    }
  }
}
