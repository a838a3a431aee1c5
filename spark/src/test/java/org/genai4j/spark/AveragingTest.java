package org.genai4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.api.java.JavaSparkContext;
import org.genai4j.common.ops.Params;
import org.genai4j.common.train.Batch;
import org.genai4j.common.train.BatchSource;
import org.genai4j.common.train.LrSchedule;
import org.genai4j.common.train.OptimizerConfig;
import org.genai4j.common.train.StepRecord;
import org.genai4j.common.train.Trainer;
import org.genai4j.common.train.TrainerConfig;
import org.genai4j.common.train.TrainingListener;
import org.genai4j.common.train.RunFolder;
import org.genai4j.common.util.Parallel;
import org.genai4j.llm.GptTrainOptions;
import org.genai4j.llm.GptTraining;
import org.genai4j.llm.LlmModel;
import org.genai4j.llm.model.Gpt;
import org.genai4j.llm.model.GptConfig;
import org.genai4j.llm.model.GptTrainable;
import org.genai4j.llm.train.TokenBatches;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Parameter averaging on {@code local[2]}: with one partition it is plain training (blocks of 3
 * local steps cut at the records equal 10 steps in one process); with two, 3 local steps on each
 * partition's half of every batch then the mean of both copies' parameters and Adam moments equal
 * the same computed by hand with two local trainers; a run stopped at step 5 and resumed from its
 * checkpoint (parameters and averaged Adam moments) ends as an uninterrupted one.
 */
class AveragingTest {
  private static final GptConfig GPT = GptConfig.of(11, 2, 2, 16, 8).withDropout(0.1);
  private static final OptimizerConfig ADAMW =
      OptimizerConfig.adamW(LrSchedule.warmupCosine(1e-2, 1e-3, 2, 10), 0.9, 0.99, 0.1);
  private static final int[] DATA = new Random(12).ints(400, 0, GPT.vocabSize()).toArray();

  private static Trainer trainer(long steps, int logEvery) {
    return new Trainer(new GptTrainable(new Gpt(GPT, Params.init(11))), ADAMW,
        TrainerConfig.of(steps, 13).withClipNorm(1.0).withLogEvery(logEvery).withThreads(1));
  }

  private static Map<String, float[]> state(Trainer t) {
    Map<String, float[]> out = new LinkedHashMap<>();
    var c = t.checkpoint();
    c.model().forEach((k, v) -> out.put(k, v.dup().data().asFloat()));
    c.optimizer().forEach((k, v) -> out.put("optimizer " + k, v.dup().data().asFloat()));
    return out;
  }

  @Test
  void onePartitionIsPlainTraining() {
    JavaSparkContext spark = LocalSpark.shared();
    Trainer local = trainer(10, 5);
    local.fit(new TokenBatches(DATA, 5, GPT.blockSize()));
    Trainer averaged = trainer(10, 5);
    List<StepRecord> records = new ArrayList<>();
    averaged.addListener(new SparkTrainer(spark, 1, 3, null));
    averaged.addListener(records::add);
    averaged.fit(new TokenBatches(DATA, 5, GPT.blockSize()));
    assertEquals(10, averaged.step());
    assertEquals(List.of(5L, 10L), records.stream().map(StepRecord::step).toList(), "records at the same steps");
    assertTrue(records.get(1).metrics().get("spark/compute_s") > 0, records.get(1).metrics().toString());
    SyncEqualityTest.assertClose(state(local), state(averaged), "one partition");
  }

  /** Stops the run it is attached to once it has run {@code at} steps. */
  private static TrainingListener stopAt(long at) {
    return new TrainingListener() {
      private Trainer trainer;

      @Override
      public void attach(Trainer t) {
        trainer = t;
      }

      @Override
      public void onStep(StepRecord r) {}

      @Override
      public boolean stopRequested() {
        return trainer.step() >= at;
      }
    };
  }

  @Test
  void anAveragedRunStoppedAndResumedEndsAsAnUninterruptedOne(@TempDir Path dir) {
    JavaSparkContext spark = LocalSpark.shared();
    String text = "all the world's a stage, and all the men and women merely players".repeat(6);
    GptConfig config = GptConfig.of(11, 1, 2, 16, 8);
    // Checkpoints every 5 steps cut the blocks of 2 there: 2 + 2 + 1, then 2 + 2 + 1 again.
    GptTrainOptions options = GptTrainOptions.reference(dir.resolve("whole")).withBatch(4, 1).withIters(10)
        .withLr(1e-2, 1e-3, 2).withEval(5, 2).withLogEvery(5).withProgressBar(false).withStart(RunFolder.Start.NEW);
    LlmModel whole = GptTraining.train(text, text, config, options, List.of(new SparkTrainer(spark, 2, 2, null)))
        .model();
    Path out = dir.resolve("resumed");
    LlmModel half = GptTraining.train(text, text, config, options.withOut(out),
        List.of(new SparkTrainer(spark, 2, 2, null), stopAt(5))).model();
    assertEquals(5, half.step());
    LlmModel resumed = GptTraining.train(text, text, config, options.withOut(out).withStart(RunFolder.Start.RESUME),
        List.of(new SparkTrainer(spark, 2, 2, null))).model();
    assertEquals(10, resumed.step());
    SyncEqualityTest.assertClose(values(whole.gpt().params()), values(resumed.gpt().params()), "resumed averaging");
  }

  private static Map<String, float[]> values(Params params) {
    Map<String, float[]> out = new LinkedHashMap<>();
    params.list().forEach(p -> out.put(p.name(), p.value().toArray()));
    return out;
  }

  @Test
  void twoPartitionsAverageTheirLocalSteps() {
    JavaSparkContext spark = LocalSpark.shared();
    Trainer averaged = trainer(3, 3);
    averaged.addListener(new SparkTrainer(spark, 2, 3, null));
    averaged.fit(new TokenBatches(DATA, 5, GPT.blockSize()));

    // By hand: the 3 steps' batches as the trainer draws them, split 3 + 2; one trainer per half.
    TokenBatches source = new TokenBatches(DATA, 5, GPT.blockSize());
    Trainer draw = trainer(3, 3);
    List<Batch> steps = new ArrayList<>();
    for (int s = 0; s < 3; s++) {
      steps.add(draw.batches(source, s).get(0));
    }
    int[] bounds = Parallel.bounds(5, 2);
    List<Map<String, float[]>> halves = new ArrayList<>();
    for (int p = 0; p < 2; p++) {
      Trainer half = trainer(3, 3);
      int from = bounds[p];
      int to = bounds[p + 1];
      Iterator<Batch> mine = steps.stream().map(b -> b.slice(from, to)).iterator();
      BatchSource shards = rng -> mine.next();
      half.fit(shards);
      halves.add(state(half));
    }
    Map<String, float[]> mean = new LinkedHashMap<>();
    halves.get(0).forEach((k, a) -> {
      float[] b = halves.get(1).get(k);
      float[] m = new float[a.length];
      for (int i = 0; i < m.length; i++) {
        m[i] = (a[i] + b[i]) / 2;
      }
      mean.put(k, m);
    });
    Map<String, float[]> got = state(averaged);
    SyncEqualityTest.assertClose(mean, got, "two partitions");
    // Averaging is not synchronous training: the halves differ, so the mean is neither of them.
    float[] a = halves.get(0).get("transformer.wte.weight");
    float[] b = halves.get(1).get("transformer.wte.weight");
    double diff = 0;
    for (int i = 0; i < a.length; i++) {
      diff = Math.max(diff, Math.abs(a[i] - b[i]));
    }
    assertTrue(diff > 1e-4, "the partitions trained differently");
  }

}
