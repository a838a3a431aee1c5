package org.genai4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.apache.spark.api.java.JavaSparkContext;
import org.genai4j.common.ops.Param;
import org.genai4j.common.ops.Params;
import org.genai4j.common.train.LrSchedule;
import org.genai4j.common.train.OptimizerConfig;
import org.genai4j.common.train.RunDir;
import org.genai4j.common.train.RunFolder;
import org.genai4j.common.train.StepRecord;
import org.genai4j.common.train.Trainer;
import org.genai4j.common.train.TrainerConfig;
import org.genai4j.common.train.TrainingListener;
import org.genai4j.common.train.TrainingResult;
import org.genai4j.gan.Dcgan;
import org.genai4j.gan.DcganConfig;
import org.genai4j.gan.GanTrainOptions;
import org.genai4j.gan.GanTraining;
import org.genai4j.llm.GptTrainOptions;
import org.genai4j.llm.GptTraining;
import org.genai4j.llm.LlmModel;
import org.genai4j.llm.model.Gpt;
import org.genai4j.llm.model.GptConfig;
import org.genai4j.llm.model.GptTrainable;
import org.genai4j.llm.train.TokenBatches;
import org.genai4j.vae.Vae;
import org.genai4j.vae.VaeConfig;
import org.genai4j.vae.VaeTrainOptions;
import org.genai4j.vae.VaeTraining;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Synchronous training on {@code local[2]} with 2 partitions equals single-process training (one
 * thread) of the same global batch to 1e-5, step for step: a tiny GPT with AdamW (clipped) and with
 * SGD with momentum (10 steps each), the VAE (10 steps) and the DCGAN (10 steps, both groups and
 * the batch-norm running statistics). A GPT run stopped after 5 of 10 steps and resumed from its run
 * folder on Spark ends as an uninterrupted run in one process, and its {@code metrics.jsonl} has
 * each step's time split into compute, aggregation and broadcast.
 */
class SyncEqualityTest {
  private static JavaSparkContext spark;

  @BeforeAll
  static void start() {
    spark = LocalSpark.shared();
  }

  /** Records every step's metrics. */
  private static final class Records implements TrainingListener {
    final List<Map<String, Double>> steps = new ArrayList<>();

    @Override
    public void onStep(StepRecord r) {
      steps.add(r.metrics());
    }
  }

  private static final GptConfig GPT = GptConfig.of(11, 2, 2, 16, 8).withDropout(0.1);

  /** 10 steps of the tiny GPT, batch 5 (shards of 3 and 2), locally on one thread or on Spark. */
  private static Map<String, float[]> gpt(OptimizerConfig optimizer, boolean onSpark, Records records) {
    Params params = Params.init(11);
    Gpt gpt = new Gpt(GPT, params);
    int[] data = new Random(12).ints(400, 0, GPT.vocabSize()).toArray();
    Trainer t = new Trainer(new GptTrainable(gpt), optimizer,
        TrainerConfig.of(10, 13).withClipNorm(1.0).withThreads(1));
    t.addListener(records);
    if (onSpark) {
      t.addListener(new SparkTrainer(spark, 2));
    }
    t.fit(new TokenBatches(data, 5, GPT.blockSize()));
    return values(params);
  }

  private static Map<String, float[]> values(Params params) {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (Param p : params.list()) {
      out.put(p.name(), p.value().toArray());
    }
    params.buffers().forEach((k, v) -> out.put("buffer " + k, v.toArray()));
    return out;
  }

  @Test
  void gptWithAdamWOnTwoPartitionsEqualsOneProcess() {
    OptimizerConfig adamW = OptimizerConfig.adamW(LrSchedule.warmupCosine(1e-2, 1e-3, 2, 10), 0.9, 0.99, 0.1);
    checkGpt(adamW);
  }

  @Test
  void gptWithSgdOnTwoPartitionsEqualsOneProcess() {
    checkGpt(OptimizerConfig.sgd(LrSchedule.constant(0.3), 0.9));
  }

  private static void checkGpt(OptimizerConfig optimizer) {
    Records local = new Records();
    Records onSpark = new Records();
    Map<String, float[]> want = gpt(optimizer, false, local);
    Map<String, float[]> got = gpt(optimizer, true, onSpark);
    assertClose(want, got, "GPT");
    assertSameLosses(local, onSpark, List.of("loss", "gpt/grad_norm"));
    Map<String, Double> last = onSpark.steps.get(9);
    assertTrue(last.get("spark/compute_s") > 0 && last.containsKey("spark/aggregate_s")
        && last.containsKey("spark/broadcast_s"), last.toString());
    // The model moved: equality is not of two untouched models.
    Map<String, float[]> start = values(initial());
    assertTrue(distance(start, got) > 1e-3, "the model did not train");
  }

  private static Params initial() {
    Params p = Params.init(11);
    new Gpt(GPT, p);
    return p;
  }

  @Test
  void vaeOnTwoPartitionsEqualsOneProcess() {
    VaeConfig config = new VaeConfig(VaeConfig.Arch.MLP, 1, 8, 8, List.of(12), 3, VaeConfig.Likelihood.BERNOULLI, 0, 1,
        6);
    INDArray images = rectangles(35, 5);
    // 5 steps per epoch of 7 images (shards of 4 and 3), 2 epochs.
    Function<List<TrainingListener>, TrainingResult<Vae>> train = extra -> VaeTraining.train(images, null, config,
        new VaeTrainOptions(2, 7, 1e-2, 3, 1, null, RunFolder.Start.NEW, false), extra);
    Records local = new Records();
    Records onSpark = new Records();
    TrainingResult<Vae> want = train.apply(List.of(local));
    TrainingResult<Vae> got = train.apply(List.of(onSpark, new SparkTrainer(spark, 2)));
    assertEquals(10, got.steps());
    assertClose(values(want.model().params()), values(got.model().params()), "VAE");
    assertSameLosses(local, onSpark, List.of("loss", "vae/recon", "vae/kl"));
    assertTrue(got.last().metrics().get("spark/compute_s") > 0, "the steps ran on Spark");
  }

  @Test
  void dcganBothGroupsOnTwoPartitionsEqualOneProcess(@TempDir Path dir) {
    DcganConfig config = DcganConfig.of(28, 1).withBaseFeatures(4).withLatentSize(8).withLabelSmoothing(0.9);
    Nd4j.getRandom().setSeed(3);
    INDArray images = Nd4j.rand(DataType.FLOAT, 25, 1, 28, 28);
    // 5 steps per epoch of 5 images (shards of 3 and 2), 2 epochs.
    Function<Boolean, TrainingResult<Dcgan>> train = onSpark -> GanTraining.train(images, null, config,
        new GanTrainOptions(2, 5, 7, dir.resolve(onSpark ? "spark" : "local"), RunFolder.Start.NEW, false, 1),
        onSpark ? List.of(new SparkTrainer(spark, 2)) : List.of());
    TrainingResult<Dcgan> want = train.apply(false);
    TrainingResult<Dcgan> got = train.apply(true);
    assertEquals(10, got.steps());
    assertTrue(got.last().metrics().get("spark/compute_s") > 0, "the steps ran on Spark");
    assertClose(values(want.model().params()), values(got.model().params()), "DCGAN");
    for (String k : List.of("D/loss", "G/loss", "D/d_real", "G/d_fake")) {
      assertEquals(want.last().metrics().get(k), got.last().metrics().get(k), 1e-5, k);
    }
  }

private static final GptConfig RESUME_CONFIG = GptConfig.of(11, 1, 2, 16, 8).withDropout(0.1);
  private static final String RESUME_TEXT = "all the world's a stage, and all the men and women merely players".repeat(6);

  private static GptTrainOptions resumeOptions(Path out) {
    return GptTrainOptions.reference(out).withBatch(4, 1).withIters(10).withLr(1e-2, 1e-3, 2).withEval(5, 2)
        .withLogEvery(1).withThreads(2).withProgressBar(false).withStart(RunFolder.Start.NEW);
  }

  /** Asks the run to stop after its {@code at}-th step (the trainer asks once after every step). */
  private static TrainingListener stopAt(long at) {
    return new TrainingListener() {
      private long steps;

      @Override
      public void onStep(StepRecord r) {}

      @Override
      public boolean stopRequested() {
        return ++steps >= at;
      }
    };
  }


  @Test
  void aRunStoppedAndResumedOnSparkEndsAsAnUninterruptedOne(@TempDir Path dir) throws IOException {
    LlmModel local = GptTraining.train(RESUME_TEXT, RESUME_TEXT, RESUME_CONFIG, resumeOptions(dir.resolve("local"))).model();
    Path out = dir.resolve("spark");
    {
      LlmModel half = GptTraining.train(RESUME_TEXT, RESUME_TEXT, RESUME_CONFIG, resumeOptions(out),
          List.of(new SparkTrainer(spark, 2), stopAt(5))).model();
      assertEquals(5, half.step());
      LlmModel resumed = GptTraining.train(RESUME_TEXT, RESUME_TEXT, RESUME_CONFIG, resumeOptions(out).withStart(RunFolder.Start.RESUME),
          List.of(new SparkTrainer(spark, 2))).model();
      assertEquals(10, resumed.step());
      SyncEqualityTest.assertClose(values(local.gpt().params()), values(resumed.gpt().params()), "the resumed GPT");
    }
    List<String> lines = Files.readAllLines(out.resolve(RunDir.METRICS));
    assertEquals(10, lines.size(), "one record per step, across the resume");
    JsonNode last = new ObjectMapper().readTree(lines.get(9));
    assertEquals(10, last.get("step").asLong());
    for (String k : List.of("spark/compute_s", "spark/aggregate_s", "spark/broadcast_s")) {
      assertTrue(last.path(k).isNumber() && last.get(k).asDouble() >= 0, k + " in " + last);
    }
  }

  static INDArray rectangles(int n, long seed) {
    Random r = new Random(seed);
    float[] v = new float[n * 64];
    for (int i = 0; i < n; i++) {
      int x0 = r.nextInt(4);
      int y0 = r.nextInt(4);
      int w = 2 + r.nextInt(4);
      int h = 2 + r.nextInt(4);
      for (int y = y0; y < Math.min(8, y0 + h); y++) {
        for (int x = x0; x < Math.min(8, x0 + w); x++) {
          v[i * 64 + y * 8 + x] = 1f;
        }
      }
    }
    return Nd4j.create(v, new long[] {n, 1, 8, 8}, 'c');
  }

  private static void assertSameLosses(Records want, Records got, List<String> keys) {
    assertEquals(want.steps.size(), got.steps.size(), "records");
    for (int s = 0; s < want.steps.size(); s++) {
      for (String k : keys) {
        double a = want.steps.get(s).get(k);
        assertEquals(a, got.steps.get(s).get(k), 1e-5 * Math.max(1, Math.abs(a)), "record " + s + ", " + k);
      }
    }
  }

  static void assertClose(Map<String, float[]> want, Map<String, float[]> got, String what) {
    assertEquals(want.keySet(), got.keySet(), what + " arrays");
    for (var e : want.entrySet()) {
      float[] a = e.getValue();
      float[] b = got.get(e.getKey());
      for (int i = 0; i < a.length; i++) {
        assertEquals(a[i], b[i], 1e-5, what + " " + e.getKey() + "[" + i + "]");
      }
    }
  }

  private static double distance(Map<String, float[]> a, Map<String, float[]> b) {
    double d = 0;
    for (var e : a.entrySet()) {
      float[] x = e.getValue();
      float[] y = b.get(e.getKey());
      for (int i = 0; i < x.length; i++) {
        d = Math.max(d, Math.abs(x[i] - y[i]));
      }
    }
    return d;
  }
}
