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
 * flags' mistakes are one-line errors.
 */
class SparkCommandsTest {

  private static final String[] TRAIN = {"llm", "train", "--data", "synthetic-text", "--layers", "1", "--heads", "2",
      "--embd", "16", "--block", "16", "--batch", "4", "--iters", "6", "--warmup", "2", "--eval-every", "6",
      "--eval-batches", "2", "--seed", "3"};

  private static CliRun train(Path out, String... more) {
    String[] args = new String[TRAIN.length + more.length + 2];
    System.arraycopy(TRAIN, 0, args, 0, TRAIN.length);
    System.arraycopy(more, 0, args, TRAIN.length, more.length);
    args[args.length - 2] = "--out";
    args[args.length - 1] = out.toString();
    return CliRun.of(args);
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
