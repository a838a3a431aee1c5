package org.genai4j.spark;

import static org.genai4j.spark.SyncEqualityTest.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.genai4j.common.ops.Param;
import org.genai4j.common.ops.Params;
import org.genai4j.common.train.LrSchedule;
import org.genai4j.common.train.OptimizerConfig;
import org.genai4j.common.train.RunFolder;
import org.genai4j.common.train.StepRecord;
import org.genai4j.common.train.Trainer;
import org.genai4j.common.train.TrainerConfig;
import org.genai4j.common.train.TrainingListener;
import org.genai4j.common.train.TrainingResult;
import org.genai4j.datasets.IdxReader;
import org.genai4j.datasets.TextCorpus;
import org.genai4j.datasets.TextCorpusReader;
import org.genai4j.gan.Dcgan;
import org.genai4j.gan.DcganConfig;
import org.genai4j.gan.GanTrainOptions;
import org.genai4j.gan.GanTraining;
import org.genai4j.llm.model.Gpt;
import org.genai4j.llm.model.GptConfig;
import org.genai4j.llm.model.GptTrainable;
import org.genai4j.llm.tokenizer.Tokenizers;
import org.genai4j.llm.train.TokenBatches;
import org.genai4j.vae.Vae;
import org.genai4j.vae.VaeConfig;
import org.genai4j.vae.VaeTrainOptions;
import org.genai4j.vae.VaeTraining;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Training on data the executors read themselves from a {@code file://} URI ({@link SparkData}) on
 * {@code local[2]} with 2 partitions equals training on data shipped from the driver with each
 * step's tasks, and one-process training (the GPT on 2 threads, the same split), to 1e-5: GPT text
 * windows (synchronous and averaging), VAE images and DCGAN images from a gzipped IDX file. A
 * missing path, a path Hadoop has no file system for, a file that is not the driver's data and a
 * file that is not IDX are one-line errors naming the path.
 */
class SparkDataTest {
  private static JavaSparkContext spark;

  @BeforeAll
  static void start() {
    spark = LocalSpark.shared();
  }

  private static final String TEXT = ("To be, or not to be, that is the question:\n"
      + "Whether 'tis nobler in the mind to suffer\nThe slings and arrows of outrageous fortune,\n").repeat(4);

  /** The training part of the corpus in character ids, as the driver and the executors both make it. */
  private static final SparkData.TextEncoding CHARS =
      (name, text) -> Tokenizers.create("char", text, 0).encode(new TextCorpus(name, text).train());

  /** Records every step's metrics. */
  private static final class Records implements TrainingListener {
    final List<Map<String, Double>> steps = new ArrayList<>();

    @Override
    public void onStep(StepRecord r) {
      steps.add(r.metrics());
    }
  }

  private static Path write(Path dir, String name, byte[] bytes) throws IOException {
    Path f = dir.resolve(name);
    Files.write(f, bytes);
    return f;
  }

  /** 10 steps of a tiny GPT on the text's windows, batch 5 (shards of 3 and 2). */
  private static Map<String, float[]> gpt(Path corpus, int averaging, String mode, Records records) {
    String text = TextCorpusReader.read("corpus", corpus).text();
    int[] tokens = CHARS.trainingTokens("corpus", text);
    int vocab = Tokenizers.create("char", text, 0).vocabSize();
    GptConfig config = GptConfig.of(vocab, 2, 2, 16, 8).withDropout(0.1);
    Params params = Params.init(11);
    Trainer t = new Trainer(new GptTrainable(new Gpt(config, params)),
        OptimizerConfig.adamW(LrSchedule.warmupCosine(1e-2, 1e-3, 2, 10), 0.9, 0.99, 0.1),
        // Two threads split the batch as the two partitions do, so the sums match to the last bit that
        // AdamW can amplify (a gradient that is zero up to float noise); see spark.md's equality notes.
        TrainerConfig.of(10, 13).withClipNorm(1.0).withThreads(2).withLogEvery(1));
    t.addListener(records);
    switch (mode) {
      case "local" -> { }
      case "shipped" -> t.addListener(new SparkTrainer(spark, 2, averaging, null));
      case "read" -> t.addListener(new SparkTrainer(spark, 2, averaging, null,
          SparkData.text(corpus.toUri().toString(), CHARS)));
      default -> throw new IllegalArgumentException(mode);
    }
    t.fit(new TokenBatches(tokens, 5, config.blockSize()));
    return values(params);
  }

  @Test
  void gptWindowsOfATextTheExecutorsReadEqualShippedAndLocalTraining(@TempDir Path dir) throws IOException {
    Path corpus = write(dir, "corpus.txt", TEXT.getBytes(StandardCharsets.UTF_8));
    Records local = new Records();
    Records shipped = new Records();
    Records read = new Records();
    Map<String, float[]> want = gpt(corpus, 0, "local", local);
    assertClose(want, gpt(corpus, 0, "shipped", shipped), "GPT, examples shipped");
    assertClose(want, gpt(corpus, 0, "read", read), "GPT, data read by the executors");
    assertSameLosses(local, read);
    assertTrue(read.steps.get(9).get("spark/compute_s") > 0, "the steps ran on Spark");
    assertTrue(corpus.toUri().toString().startsWith("file:"), corpus.toUri().toString());
  }

  @Test
  void averagingOnATextTheExecutorsReadEqualsAveragingOnShippedExamples(@TempDir Path dir) throws IOException {
    Path corpus = write(dir, "corpus.txt", TEXT.getBytes(StandardCharsets.UTF_8));
    Map<String, float[]> shipped = gpt(corpus, 3, "shipped", new Records());
    Map<String, float[]> read = gpt(corpus, 3, "read", new Records());
    assertClose(shipped, read, "GPT averaged every 3 steps");
  }

  /** A gzipped IDX images file of {@code n} images {@code size}x{@code size} with random pixels. */
  private static byte[] idxImages(int n, int size, long seed) throws IOException {
    var bytes = new java.io.ByteArrayOutputStream();
    try (OutputStream gz = new GZIPOutputStream(bytes); DataOutputStream out = new DataOutputStream(gz)) {
      out.writeInt(IdxReader.IMAGES_MAGIC);
      out.writeInt(n);
      out.writeInt(size);
      out.writeInt(size);
      byte[] pixels = new byte[n * size * size];
      new Random(seed).nextBytes(pixels);
      out.write(pixels);
    }
    return bytes.toByteArray();
  }

  @Test
  void vaeImagesTheExecutorsReadFromIdxEqualShippedAndLocalTraining(@TempDir Path dir) throws IOException {
    Path file = write(dir, "train-images-idx3-ubyte.gz", idxImages(35, 8, 5));
    INDArray images = IdxReader.readImages(file);
    VaeConfig config = new VaeConfig(VaeConfig.Arch.MLP, 1, 8, 8, List.of(12), 3, VaeConfig.Likelihood.BERNOULLI, 0, 1,
        6);
    // 5 steps per epoch of 7 images (shards of 4 and 3), 2 epochs.
    Function<List<TrainingListener>, TrainingResult<Vae>> train = extra -> VaeTraining.train(images, null, config,
        new VaeTrainOptions(2, 7, 1e-2, 3, 1, null, RunFolder.Start.NEW, false), extra);
    Records local = new Records();
    Records read = new Records();
    TrainingResult<Vae> want = train.apply(List.of(local));
    TrainingResult<Vae> shipped = train.apply(List.of(new SparkTrainer(spark, 2)));
    TrainingResult<Vae> got = train.apply(List.of(read,
        new SparkTrainer(spark, 2, 0, null, SparkData.idxImages(file.toUri().toString()))));
    assertEquals(10, got.steps());
    assertClose(values(want.model().params()), values(shipped.model().params()), "VAE, examples shipped");
    assertClose(values(want.model().params()), values(got.model().params()), "VAE, images read by the executors");
    assertSameLosses(local, read);
    assertTrue(got.last().metrics().get("spark/compute_s") > 0, "the steps ran on Spark");
    assertTrue(got.unitsPerSecond() > 0, "images were counted");
  }

  @Test
  void dcganImagesTheExecutorsReadFromIdxEqualLocalTraining(@TempDir Path dir) throws IOException {
    Path file = write(dir, "train-images-idx3-ubyte.gz", idxImages(25, 28, 6));
    INDArray images = IdxReader.readImages(file);
    DcganConfig config = DcganConfig.of(28, 1).withBaseFeatures(4).withLatentSize(8).withLabelSmoothing(0.9);
    // 5 steps per epoch of 5 images (shards of 3 and 2), 2 epochs.
    Function<List<TrainingListener>, TrainingResult<Dcgan>> train = extra -> GanTraining.train(images, null, config,
        new GanTrainOptions(2, 5, 7, dir.resolve(extra.isEmpty() ? "local" : "spark"), RunFolder.Start.NEW, false, 1),
        extra);
    TrainingResult<Dcgan> want = train.apply(List.of());
    TrainingResult<Dcgan> got = train.apply(List.of(
        new SparkTrainer(spark, 2, 0, null, SparkData.idxImages(file.toUri().toString()))));
    assertEquals(10, got.steps());
    assertTrue(got.last().metrics().get("spark/compute_s") > 0, "the steps ran on Spark");
    assertClose(values(want.model().params()), values(got.model().params()), "DCGAN");
    for (String k : List.of("D/loss", "G/loss", "D/d_real", "G/d_fake")) {
      assertEquals(want.last().metrics().get(k), got.last().metrics().get(k), 1e-5, k);
    }
  }

  @Test
  void aWrongPathIsOneLineNamingIt(@TempDir Path dir) throws IOException {
    Path corpus = write(dir, "corpus.txt", TEXT.getBytes(StandardCharsets.UTF_8));
    String missing = dir.resolve("no-such-corpus.txt").toUri().toString();
    assertOneLine(runOn(corpus, SparkData.text(missing, CHARS)), missing, "does not exist");
    String noFileSystem = "nosuchfs://host/corpus.txt";
    assertOneLine(runOn(corpus, SparkData.text(noFileSystem, CHARS)), noFileSystem, "cannot read data path");
    // Another text: the executors' windows would not be the driver's.
    Path other = write(dir, "other.txt", TEXT.replace('e', 'a').getBytes(StandardCharsets.UTF_8));
    assertOneLine(runOn(corpus, SparkData.text(other.toUri().toString(), CHARS)), other.toUri().toString(),
        "is not the driver's training data");
    // Not an IDX images file.
    String notIdx = corpus.toUri().toString();
    Path images = write(dir, "images.gz", idxImages(6, 8, 1));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VaeTraining.train(
        IdxReader.readImages(images), null,
        new VaeConfig(VaeConfig.Arch.MLP, 1, 8, 8, List.of(4), 2, VaeConfig.Likelihood.BERNOULLI, 0, 1, 6),
        new VaeTrainOptions(1, 3, 1e-2, 3, 1, null, RunFolder.Start.NEW, false),
        List.of(new SparkTrainer(spark, 2, 0, null, SparkData.idxImages(notIdx)))));
    assertOneLine(e, notIdx, "wrong magic number");
  }

  private static IllegalArgumentException runOn(Path corpus, SparkData data) {
    String text = TEXT;
    int[] tokens = CHARS.trainingTokens("corpus", text);
    GptConfig config = GptConfig.of(Tokenizers.create("char", text, 0).vocabSize(), 1, 2, 8, 8);
    Trainer t = new Trainer(new GptTrainable(new Gpt(config, Params.init(1))),
        OptimizerConfig.sgd(LrSchedule.constant(0.1), 0), TrainerConfig.of(2, 1).withThreads(1));
    t.addListener(new SparkTrainer(spark, 2, 0, null, data));
    return assertThrows(IllegalArgumentException.class, () -> t.fit(new TokenBatches(tokens, 4, 8)));
  }

  private static void assertOneLine(Exception e, String path, String what) {
    String m = e.getMessage();
    System.out.println("one-line error: " + m);
    assertFalse(m.contains("\n"), m);
    assertTrue(m.contains(path) && m.contains(what), m);
  }

  private static void assertSameLosses(Records want, Records got) {
    assertEquals(want.steps.size(), got.steps.size(), "records");
    for (int s = 0; s < want.steps.size(); s++) {
      double a = want.steps.get(s).get("loss");
      assertEquals(a, got.steps.get(s).get("loss"), 1e-5 * Math.max(1, Math.abs(a)), "record " + s);
    }
  }

  private static Map<String, float[]> values(Params params) {
    Map<String, float[]> out = new LinkedHashMap<>();
    for (Param p : params.list()) {
      out.put(p.name(), p.value().toArray());
    }
    params.buffers().forEach((k, v) -> out.put("buffer " + k, v.toArray()));
    return out;
  }
}
