package org.genai4j.samples.cli;

import java.util.concurrent.Callable;
import org.genai4j.datasets.Datasets;
import picocli.CommandLine.Command;

/** {@code genai4j datasets}: the known datasets and whether each is available offline. */
@Command(name = "datasets", mixinStandardHelpOptions = true,
    description = "List the known datasets and whether their files are found locally.")
public final class DatasetsCommand implements Callable<Integer> {

  @Override
  public Integer call() {
    System.out.printf("%-18s %s%n", "dataset", "available offline");
    for (String name : Datasets.names()) {
      System.out.printf("%-18s %s%n", name, Datasets.isAvailableOffline(name) ? "yes" : "no (downloads on first use)");
    }
    return 0;
  }
}
