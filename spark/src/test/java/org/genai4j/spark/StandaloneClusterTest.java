package org.genai4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.genai4j.common.ops.Param;
import org.genai4j.common.train.RunFolder;
import org.genai4j.common.train.StepRecord;
import org.genai4j.common.train.TrainingListener;
import org.genai4j.common.util.FileTrees;
import org.genai4j.llm.GptTrainOptions;
import org.genai4j.llm.GptTraining;
import org.genai4j.llm.LlmEvaluation;
import org.genai4j.llm.LlmModel;
import org.genai4j.llm.model.GptConfig;
import org.genai4j.llm.tokenizer.Tokenizers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A real cluster on this machine: a Spark standalone master and three one-core workers, each a JVM
 * of its own started from the test's classpath; the test's JVM is the driver of an application of
 * two one-core executors. A tiny GPT trains 20 synchronous steps on them, equal to the same run in
 * one process, and its checkpoint opens as {@code llm eval} opens it. Then, with a worker (and its
 * executor) killed mid-run, Spark retries the step on an executor of the third worker and the run
 * ends as the undisturbed one. Then the executors' JVMs read the text themselves from a {@code
 * file://} URI and the run is the same again. Every process started is gone at the end, also when
 * a test fails.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneClusterTest {
  private static final GptConfig CONFIG = GptConfig.of(11, 1, 2, 16, 8);
  private static final String TEXT = "to be or not to be, that is the question; whether tis nobler in the mind"
      .repeat(8);

  private static Path dir;
  private static StandaloneCluster cluster;
  private static JavaSparkContext spark;
  private static final List<ProcessHandle> processes = new ArrayList<>();
  private static Map<String, float[]> local;
  private static double localLoss;

  @BeforeAll
  static void start() throws IOException {
    LocalSpark.stop(); // one context per JVM
    dir = Files.createTempDirectory("genai4j-cluster-");
    // The same split as on the cluster (2 shards of 2 sequences): the same sums, so the same bits.
    // (Against one thread the runs agree to float noise, which Adam turns into lr-sized steps on
    // parameters whose gradient is exactly zero, e.g. the key biases.)
    LlmModel m = GptTraining.train(TEXT, TEXT, CONFIG, options(dir.resolve("local")).withThreads(2)).model();
    local = values(m);
    localLoss = LlmEvaluation.evaluate(m, TEXT, 2, 5).loss();
    long t0 = System.nanoTime();
    cluster = StandaloneCluster.start(dir.resolve("cluster"), 3);
    try {
      spark = cluster.connect(2);
    } catch (RuntimeException e) {
      throw new IllegalStateException(e.getMessage() + "\n" + cluster.logs(), e);
    } finally {
      processes.addAll(cluster.alive());
    }
    System.out.printf("cluster up in %.1f s%n", (System.nanoTime() - t0) / 1e9);
  }

  @AfterAll
  static void stop() {
    try {
      if (spark != null) {
        spark.stop();
      }
    } finally {
      if (cluster != null) {
        processes.addAll(cluster.alive());
        cluster.close();
      }
      try {
        FileTrees.delete(dir);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    for (ProcessHandle p : processes) {
      assertFalse(p.isAlive(), "process " + p.pid() + " " + p.info().commandLine().orElse("") + " still runs");
    }
  }

  private static GptTrainOptions options(Path out) {
    return GptTrainOptions.reference(out).withBatch(4, 1).withIters(20).withLr(1e-2, 1e-3, 2).withEval(20, 2)
        .withLogEvery(1).withThreads(1).withProgressBar(false).withStart(RunFolder.Start.NEW);
  }

  private static Map<String, float[]> values(LlmModel m) {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (Param p : m.gpt().params().list()) {
      out.put(p.name(), p.value().toArray());
    }
    return out;
  }

  /** Trains 20 steps on the cluster into {@code name} with {@code watcher}; checks it against the local run. */
  private static void trainAndCheck(String name, TrainingListener watcher) {
    trainAndCheck(name, watcher, new SparkTrainer(spark, 2));
  }

  private static void trainAndCheck(String name, TrainingListener watcher, SparkTrainer onCluster) {
    long t0 = System.nanoTime();
    Path out = dir.resolve(name);
    try {
      LlmModel trained = GptTraining.train(TEXT, TEXT, CONFIG, options(out),
          List.of(onCluster, watcher)).model();
      assertEquals(20, trained.step());
      System.out.printf("%s: 20 steps in %.1f s%n", name, (System.nanoTime() - t0) / 1e9);
      SyncEqualityTest.assertClose(local, values(trained), name);
      // The checkpoint opens as `llm eval` opens it and evaluates as the local model does.
      LlmModel opened = LlmModel.open(out);
      SyncEqualityTest.assertClose(values(trained), values(opened), name + "'s checkpoint");
      assertEquals(localLoss, LlmEvaluation.evaluate(opened, TEXT, 2, 5).loss(), 1e-5);
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError(e.getMessage() + "\n" + cluster.logs(), e);
    } finally {
      processes.addAll(cluster.alive());
    }
  }

  @Test
  @Order(1)
  void tinyGptTrains20StepsOnTwoExecutorsAsInOneProcess() {
    trainAndCheck("undisturbed", r -> {});
  }

  @Test
  @Order(2)
  void aWorkerKilledMidRunIsReplacedAndTheRunEndsAsUndisturbed() {
    int[] killed = {-1};
    trainAndCheck("disturbed", r -> {
      if (r.step() == 5) {
        killed[0] = cluster.killWorkerWithExecutor();
      }
    });
    assertTrue(killed[0] >= 0, "a worker was killed");
    assertFalse(cluster.workerAlive(killed[0]), "worker " + killed[0] + " is dead");
  }

  /** GptTraining's tokens of {@code TEXT} as training and validation text: a char vocabulary over both. */
  private static final SparkData.TextEncoding AS_GPT_TRAINING =
      (name, text) -> Tokenizers.create("char", text + text, 0).encode(text);

  @Test
  @Order(3)
  void aTextTheExecutorJvmsReadFromAFileUriTrainsAsInOneProcess() throws IOException {
    Path corpus = Files.writeString(dir.resolve("corpus.txt"), TEXT);
    trainAndCheck("read by the executors", r -> {},
        new SparkTrainer(spark, 2, 0, null, SparkData.text(corpus.toUri().toString(), AS_GPT_TRAINING)));
  }
}
