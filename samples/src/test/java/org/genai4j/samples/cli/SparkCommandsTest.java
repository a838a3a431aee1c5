package org.genai4j.samples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code llm train --spark-master local[2] --partitions 2} trains as {@code --shards 2} does here
 * (the same losses), and its {@code metrics.jsonl} has the Spark step's time split; the Spark
 * flags' mistakes are one-line errors. With a {@code file://} URI as {@code --data-path}, {@code llm
 * train} (a text), {@code vae train} and {@code gan train} (a folder of small gzipped IDX files) read by the executors
 * train as the same files read here; a missing URI, and a Hadoop URI without Spark, are one line.
 */
class SparkCommandsTest {

  private static final String[] TRAIN = {"llm", "train", "--data", "synthetic-text", "--layers", "1", "--heads", "2",
      "--embd", "16", "--block", "16", "--batch", "4", "--iters", "6", "--warmup", "2", "--eval-every", "6",
      "--eval-batches", "2", "--seed", "3"};

  /** {@code TRAIN} with {@code more} flags; a {@code --data} among them replaces synthetic-text. */
  private static CliRun train(Path out, String... more) {
    List<String> args = new java.util.ArrayList<>(List.of(TRAIN));
    if (List.of(more).contains("--data")) {
      int i = args.indexOf("--data");
      args.remove(i);
      args.remove(i);
    }
    args.addAll(List.of(more));
    args.add("--out");
    args.add(out.toString());
    return CliRun.of(args.toArray(String[]::new));
  }

  private static String losses(String out) {
    Matcher m = Pattern.compile("train_loss=\\S+ val_loss=\\S+").matcher(out);
    assertTrue(m.find(), out);
    return m.group();
  }

  @Test
  void llmTrainOnLocalSparkEqualsTwoShardsHere(@TempDir Path tmp) throws IOException {
    CliRun here = train(tmp.resolve("here"), "--shards", "2");
    assertEquals(0, here.exit(), here.err());
    CliRun spark = train(tmp.resolve("spark"), "--spark-master", "local[2]", "--partitions", "2");
    assertEquals(0, spark.exit(), spark.err());
    assertEquals(losses(here.out()), losses(spark.out()));
    List<String> metrics = Files.readAllLines(tmp.resolve("spark").resolve("metrics.jsonl"));
    String last = metrics.get(metrics.size() - 1);
    for (String k : List.of("spark/compute_s", "spark/aggregate_s", "spark/broadcast_s")) {
      assertTrue(last.contains("\"" + k + "\""), k + " in " + last);
    }
  }

  private static final String TEXT = ("It had always been a surprise to me that the painter had given up painting,\n"
      + "and that his wife had taken it so well; the verdict of the town was that he had simply tired of it.\n")
      .repeat(3);

  @Test
  void llmTrainOnATextUriTheExecutorsReadEqualsTwoShardsHere(@TempDir Path tmp) throws IOException {
    Path text = Files.writeString(tmp.resolve("the-verdict.txt"), TEXT);
    String[] data = {"--data", "the-verdict", "--data-path"};
    CliRun here = train(tmp.resolve("here"), concat(data, text.toString(), "--shards", "2"));
    assertEquals(0, here.exit(), here.err());
    CliRun spark = train(tmp.resolve("spark"), concat(data, text.toUri().toString(), "--spark-master", "local[2]",
        "--partitions", "2"));
    assertEquals(0, spark.exit(), spark.err());
    assertEquals(losses(here.out()), losses(spark.out()));
    // A plain path is this machine's file for the executors too.
    CliRun plain = train(tmp.resolve("plain"), concat(data, text.toString(), "--spark-master", "local[2]",
        "--partitions", "2"));
    assertEquals(0, plain.exit(), plain.err());
    assertEquals(losses(here.out()), losses(plain.out()));
  }

  /** {@code first}, then {@code more}. */
  private static String[] concat(String[] first, String... more) {
    String[] out = new String[first.length + more.length];
    System.arraycopy(first, 0, out, 0, first.length);
    System.arraycopy(more, 0, out, first.length, more.length);
    return out;
  }

  /** A gzipped IDX file: images {@code [n, 8, 8]} of random bytes, or {@code n} labels. */
  private static void idx(Path file, int n, boolean images, long seed) throws IOException {
    idx(file, n, 8, images, seed);
  }

  /** A gzipped IDX file: images {@code [n, side, side]} of random bytes, or {@code n} labels. */
  private static void idx(Path file, int n, int side, boolean images, long seed) throws IOException {
    try (var out = new java.io.DataOutputStream(new java.util.zip.GZIPOutputStream(Files.newOutputStream(file)))) {
      out.writeInt(images ? 0x803 : 0x801);
      out.writeInt(n);
      if (images) {
        out.writeInt(side);
        out.writeInt(side);
      }
      byte[] values = new byte[images ? n * side * side : n];
      new java.util.Random(seed).nextBytes(values);
      if (!images) {
        for (int i = 0; i < n; i++) {
          values[i] = (byte) Math.floorMod(values[i], 10);
        }
      }
      out.write(values);
    }
  }

  private static String vaeTest(String out) {
    Matcher m = Pattern.compile("test: neg_elbo=\\S+").matcher(out);
    assertTrue(m.find(), out);
    return m.group();
  }

  @Test
  void vaeTrainOnAnIdxFolderUriTheExecutorsReadEqualsTwoShardsHere(@TempDir Path tmp) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("fashion"));
    idx(dir.resolve("train-images-idx3-ubyte.gz"), 30, true, 1);
    idx(dir.resolve("train-labels-idx1-ubyte.gz"), 30, false, 2);
    idx(dir.resolve("t10k-images-idx3-ubyte.gz"), 10, true, 3);
    idx(dir.resolve("t10k-labels-idx1-ubyte.gz"), 10, false, 4);
    String[] vae = {"vae", "train", "--data", "fashion-mnist", "--hidden", "8", "--latent", "2", "--epochs", "2",
        "--batch", "6", "--seed", "3"};
    CliRun here = CliRun.of(concat(vae, "--data-path", dir.toString(), "--shards", "2", "--out",
        tmp.resolve("here").toString()));
    assertEquals(0, here.exit(), here.err());
    CliRun spark = CliRun.of(concat(vae, "--data-path", dir.toUri().toString(), "--spark-master", "local[2]",
        "--partitions", "2", "--out", tmp.resolve("spark").toString()));
    assertEquals(0, spark.exit(), spark.err());
    assertEquals(vaeTest(here.out()), vaeTest(spark.out()));
  }

  /** The D and G losses of every record of a run's metrics.jsonl. */
  private static List<String> ganLosses(Path run) throws IOException {
    List<String> out = new java.util.ArrayList<>();
    for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
      Matcher m = Pattern.compile("\"(D|G)/loss\":[^,}]+").matcher(line);
      while (m.find()) {
        out.add(m.group());
      }
    }
    assertTrue(!out.isEmpty(), "no losses in " + run);
    return out;
  }

  @Test
  void ganTrainOnAnIdxFolderUriTheExecutorsReadEqualsTwoShardsHere(@TempDir Path tmp) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("fashion"));
    idx(dir.resolve("train-images-idx3-ubyte.gz"), 10, 28, true, 1);
    idx(dir.resolve("train-labels-idx1-ubyte.gz"), 10, 28, false, 2);
    idx(dir.resolve("t10k-images-idx3-ubyte.gz"), 4, 28, true, 3);
    idx(dir.resolve("t10k-labels-idx1-ubyte.gz"), 4, 28, false, 4);
    String[] gan = {"gan", "train", "--data", "fashion-mnist", "--features", "4", "--latent", "8", "--epochs", "2",
        "--batch", "5", "--seed", "3"};
    CliRun here = CliRun.of(concat(gan, "--data-path", dir.toString(), "--shards", "2", "--out",
        tmp.resolve("here").toString()));
    assertEquals(0, here.exit(), here.err());
    CliRun spark = CliRun.of(concat(gan, "--data-path", dir.toUri().toString(), "--spark-master", "local[2]",
        "--partitions", "2", "--out", tmp.resolve("spark").toString()));
    assertEquals(0, spark.exit(), spark.err());
    assertEquals(ganLosses(tmp.resolve("here")), ganLosses(tmp.resolve("spark")));
  }

  @Test
  void aMissingDataUriIsOneLine(@TempDir Path tmp) {
    String missing = tmp.resolve("nowhere").toUri() + "the-verdict.txt";
    CliRun spark = train(tmp.resolve("a"), "--data", "the-verdict", "--data-path", missing, "--spark-master",
        "local[2]");
    spark.isShortError();
    assertTrue(spark.err().contains(missing) && spark.err().contains("does not exist"), spark.err());
    CliRun noSpark = train(tmp.resolve("b"), "--data", "the-verdict", "--data-path", "hdfs://namenode/the-verdict.txt");
    noSpark.isShortError();
    assertTrue(noSpark.err().contains("hdfs://namenode/the-verdict.txt") && noSpark.err().contains("--spark-master"),
        noSpark.err());
  }

  @Test
  void sparkFlagsMistakesAreOneLine(@TempDir Path tmp) {
    CliRun noMaster = train(tmp.resolve("a"), "--partitions", "2");
    noMaster.isShortError();
    assertTrue(noMaster.err().contains("--partitions needs --spark-master"), noMaster.err());
    CliRun badMaster = train(tmp.resolve("b"), "--spark-master", "yarnish");
    badMaster.isShortError();
    assertTrue(badMaster.err().contains("--spark-master must be"), badMaster.err());
  }
}
