package org.genai4j.samples.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.genai4j.datasets.DataResolver;
import org.genai4j.datasets.DatasetRegistry;
import org.genai4j.datasets.DatasetSpec;
import org.genai4j.datasets.Datasets;
import org.genai4j.datasets.ImageData;
import org.genai4j.datasets.MarkovText;
import org.genai4j.datasets.Split;
import org.genai4j.datasets.SyntheticShapes;
import org.genai4j.datasets.TextCorpus;
import picocli.CommandLine.Option;

/** Which dataset a command reads: a registry name and, optionally, where its files are. */
public final class DataOptions {

  @Option(names = "--data", paramLabel = "NAME", required = true,
      description = "Dataset name (see 'genai4j datasets'), e.g. fashion-mnist, tinyshakespeare, synthetic-shapes.")
  public String name;

  @Option(names = "--data-path", paramLabel = "PATH",
      description = "A file or folder holding the dataset's files (skips the search). With --spark-master on 'llm"
          + " train', 'gan train' and 'vae train' also a Hadoop URI (file://, hdfs://, s3a:// with the connector)"
          + " that the executors read themselves.")
  String path;

  /** Where a copy of a Hadoop path's files is on this machine (set when training on Spark reads them). */
  private Path localCopy;

  public ImageData images(Split split) {
    check(DatasetSpec.Kind.IMAGES);
    return Datasets.images(name, split, DataResolver.defaults(), localPath());
  }

  public TextCorpus text() {
    check(DatasetSpec.Kind.TEXT);
    return Datasets.text(name, DataResolver.defaults(), localPath());
  }

  /** The dataset's description in the registry, after checking the name and its kind. */
  DatasetSpec spec(DatasetSpec.Kind wanted) {
    check(wanted);
    if (name.equals(MarkovText.NAME) || name.equals(SyntheticShapes.NAME)) {
      throw new IllegalArgumentException("--data " + name + " is generated, it has no files for --data-path");
    }
    return DatasetRegistry.get(name);
  }

  /** From now on the dataset's files are read from {@code dir} (a local copy of --data-path's). */
  void useLocalCopy(Path dir) {
    localCopy = dir;
  }

  /** True when --data-path is a URI with a scheme (file:, hdfs:, s3a:, ...), not a plain path. */
  static boolean isUri(String path) {
    return path.matches("[A-Za-z][A-Za-z0-9+.-]+:.*");
  }

  /** --data-path as a local path: a plain path or a file: URI; other URIs only Spark's executors read. */
  private Path localPath() {
    if (localCopy != null || path == null) {
      return localCopy;
    }
    if (!isUri(path)) {
      return Path.of(path);
    }
    if (path.startsWith("file:")) {
      try {
        return Path.of(java.net.URI.create(path));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--data-path " + path + " is not a valid file: URI ("
            + e.getMessage() + ")");
      }
    }
    throw new IllegalArgumentException("--data-path " + path + " is a Hadoop URI; only training on Spark"
        + " (--spark-master on llm/gan/vae train) reads those, give a local path otherwise");
  }

  /**
   * {@code batch}, refused when the training set is smaller: an epoch would be one short batch and the
   * step count and schedule would not be what the flags say.
   */
  public int batchAtMost(int batch, ImageData train) {
    if (batch > train.size()) {
      throw new IllegalArgumentException("--batch " + batch + " is larger than the " + train.size()
          + " training images of " + name + "; give --batch " + train.size() + " or less");
    }
    return batch;
  }

  private void check(DatasetSpec.Kind wanted) {
    if (!Datasets.names().contains(name)) {
      throw new IllegalArgumentException("unknown dataset '" + name + "'; known: " + String.join(", ", Datasets.names()));
    }
    if (kind(name) != wanted) {
      List<String> fitting = Datasets.names().stream().filter(n -> kind(n) == wanted).toList();
      throw new IllegalArgumentException("--data " + name + " is " + article(kind(name)) + " dataset; this command"
          + " needs " + article(wanted) + " dataset: " + String.join(", ", fitting));
    }
  }

  private static DatasetSpec.Kind kind(String dataset) {
    if (dataset.equals(SyntheticShapes.NAME)) {
      return DatasetSpec.Kind.IMAGES;
    }
    return dataset.equals(MarkovText.NAME) ? DatasetSpec.Kind.TEXT : DatasetRegistry.get(dataset).kind();
  }

  private static String article(DatasetSpec.Kind kind) {
    return kind == DatasetSpec.Kind.IMAGES ? "an image" : "a " + kind.name().toLowerCase(Locale.ROOT);
  }
}
