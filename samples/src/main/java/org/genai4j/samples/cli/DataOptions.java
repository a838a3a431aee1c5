package org.genai4j.samples.cli;

import java.nio.file.Path;
import org.genai4j.datasets.DataResolver;
import org.genai4j.datasets.Datasets;
import org.genai4j.datasets.ImageData;
import org.genai4j.datasets.Split;
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
    check();
    return Datasets.images(name, split, DataResolver.defaults(), path);
  }

  public TextCorpus text() {
    check();
    return Datasets.text(name, DataResolver.defaults(), path);
  }

  private void check() {
    if (!Datasets.names().contains(name)) {
      throw new IllegalArgumentException("unknown dataset '" + name + "'; known: " + String.join(", ", Datasets.names()));
    }
  }
}
