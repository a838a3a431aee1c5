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
      description = "A file or folder holding the dataset's files (skips the search).")
  Path path;

  public ImageData images(Split split) {
    check(DatasetSpec.Kind.IMAGES);
    return Datasets.images(name, split, DataResolver.defaults(), path);
  }

  public TextCorpus text() {
    check(DatasetSpec.Kind.TEXT);
    return Datasets.text(name, DataResolver.defaults(), path);
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
