package org.genai4j.samples.tutorial;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.genai4j.common.eval.LossPlot;
import org.genai4j.common.train.StepRecord;
import org.genai4j.common.train.TrainingListener;
import org.genai4j.datasets.TextCorpus;
import org.genai4j.llm.LlmEvaluation;
import org.genai4j.llm.LlmModel;

/**
 * Chapter 7: loss, perplexity and bits per character; the baselines a model must beat (uniform,
 * character frequencies); a model evaluated on the validation split; and overfitting, shown by a
 * model trained on a small slice of the text, with the best checkpoint that the validation split picks.
 */
final class Evaluation implements Chapter {

  @Override
  public int number() {
    return 7;
  }

  @Override
  public String title() {
    return "Evaluation";
  }

  @Override
  public String page() {
    return "07-evaluation.md";
  }

  @Override
  public void run(ChapterRun run) throws Exception {
    TextCorpus corpus = SmallGpt.corpus(run);
    String train = corpus.train();
    String val = corpus.validation();

    // Baselines: guessing uniformly, and guessing by character frequency (a unigram model).
    int[] counts = new int[Character.MAX_VALUE + 1];
    train.chars().forEach(c -> counts[c]++);
    int[] valCounts = new int[Character.MAX_VALUE + 1];
    val.chars().forEach(c -> valCounts[c]++);
    long distinct = (train + val).chars().distinct().count();
    double uniform = Math.log(distinct);
    double unigram = 0;
    for (int c = 0; c < counts.length; c++) {
      if (valCounts[c] > 0) {
        // Add-one smoothing: a character the training text never shows still gets some probability.
        double p = (counts[c] + 1.0) / (train.length() + distinct);
        unigram -= valCounts[c] * Math.log(p) / val.length();
      }
    }
    run.figure("uniform_loss", uniform, 3);
    run.figure("uniform_ppl", Math.exp(uniform), 1);
    run.figure("uniform_bpc", uniform / Math.log(2), 3);
    run.figure("unigram_loss", unigram, 3);
    run.figure("unigram_ppl", Math.exp(unigram), 1);
    run.figure("unigram_bpc", unigram / Math.log(2), 3);

    int iters = run.pick(60, 400);
    run.say("training on the whole training split (%d steps)...", iters);
    LlmModel model = SmallGpt.trainInto(run, Generation.freshDir(run, "model"), iters);
    LlmEvaluation.Result r = LlmEvaluation.evaluate(model, val, run.pick(10, 100), 1);
    run.say("%s (%d tokens)", r.format("val"), r.tokens());
    run.figure("val_loss", r.loss(), 3);
    run.figure("val_ppl", r.perplexity(), 2);
    run.figure("val_bpc", r.bitsPerChar(), 3);
    run.figure("ppl_is_exp_loss", Math.abs(r.perplexity() - Math.exp(r.loss())) < 1e-9 ? "yes" : "no");

    // Overfitting: a small slice of text, many passes over it.
    int slice = run.pick(1_500, 5_000);
    int steps = run.pick(200, 800);
    int every = steps / 16;
    Path dir = Generation.freshDir(run, "overfit");
    Curves curves = new Curves();
    SmallGpt.train(run, train.substring(0, slice), val, SmallGpt.config(run),
        SmallGpt.options(run, steps).withOut(dir).withEval(every, run.pick(4, 10)).withLogEvery(every), curves);
    int bestAt = 0;
    for (int i = 1; i < curves.val.size(); i++) {
      if (curves.val.get(i) < curves.val.get(bestAt)) {
        bestAt = i;
      }
    }
    int last = curves.val.size() - 1;
    run.say("step  train_loss  val_loss");
    for (int i = 0; i < curves.val.size(); i++) {
      run.say("%4d  %10.3f  %8.3f%s", curves.steps.get(i), curves.train.get(i), curves.val.get(i),
          i == bestAt ? "  <- best" : "");
    }
    run.figure("overfit_slice_chars", slice);
    run.figure("overfit_best_step", curves.steps.get(bestAt));
    run.figure("overfit_best_val_loss", curves.val.get(bestAt), 2);
    run.figure("overfit_final_train_loss", curves.train.get(last), 2);
    run.figure("overfit_final_val_loss", curves.val.get(last), 2);
    LossPlot.write(dir.resolve("metrics.jsonl"), List.of("loss", "eval/val_loss"), run.file("overfit.png"), 640, 400,
        "training on " + slice + " characters");
    LlmModel best = LlmModel.load(dir); // checkpoints/best: the step with the lowest validation loss
    run.figure("best_checkpoint_step", best.step());
  }

  /** The training loss and the validation loss at every evaluation. */
  private static final class Curves implements TrainingListener {
    final List<Integer> steps = new ArrayList<>();
    final List<Double> train = new ArrayList<>();
    final List<Double> val = new ArrayList<>();

    @Override
    public void onStep(StepRecord r) {
      Double v = r.evaluation().get("val_loss");
      if (v != null) {
        steps.add((int) r.step());
        train.add(r.loss());
        val.add(v);
      }
    }
  }
}
