package org.genai4j.spark;

import java.io.Serializable;
import java.util.UUID;
import org.genai4j.datasets.IdxReader;
import org.genai4j.datasets.TextCorpusReader;

/**
 * A training set that the executors read themselves, from a path Hadoop can open (a plain local
 * path, {@code file://}, {@code hdfs://}, {@code s3a://} with the connector), once per executor JVM,
 * and keep in memory for the run; each step's tasks then receive only the rows (or window offsets)
 * of their shard. Given to a {@link SparkTrainer}, it replaces the family's batch source on the
 * driver by one that draws the same indices with the same generator, so training stays equal to
 * local training. The driver still holds its own copy (the family's training code reads it there).
 */
public sealed interface SparkData extends Serializable {

  /** What the executors keep: one id per data set, so a JVM reads it once however many tasks use it. */
  String id();

  /** The path the executors read. */
  String uri();

  /** Turns a UTF-8 text (the whole file, as {@link TextCorpusReader} reads it) into training token ids. */
  @FunctionalInterface
  interface TextEncoding extends Serializable {
    int[] trainingTokens(String corpusName, String text);
  }

  /**
   * A text corpus at {@code uri} whose training token ids ({@code encoding} of its text) feed a GPT's
   * windows ({@link org.genai4j.llm.train.TokenBatches}).
   */
  static SparkData text(String uri, TextEncoding encoding) {
    return new Text(UUID.randomUUID().toString(), uri, encoding);
  }

  /**
   * IDX images ({@code idx3-ubyte}, gzipped or not, e.g. Fashion-MNIST's training images) at {@code
   * uri}, pixels scaled to [0, 1] as {@link IdxReader#readImages} does, for a VAE's or DCGAN's batches.
   */
  static SparkData idxImages(String uri) {
    return new IdxImages(UUID.randomUUID().toString(), uri);
  }

  /** A text corpus, tokenized on the executor. */
  record Text(String id, String uri, TextEncoding encoding) implements SparkData {}

  /** IDX images. */
  record IdxImages(String id, String uri) implements SparkData {}
}
