package org.genai4j.samples.experiments;

import org.genai4j.datasets.DatasetRegistry;
import org.genai4j.datasets.DatasetSpec;
import org.genai4j.datasets.Datasets;
import org.genai4j.datasets.ImageData;
import org.genai4j.datasets.Split;
import org.genai4j.datasets.TextCorpus;

/**
 * The demo's data: the real dataset when it can be found or downloaded, else its synthetic
 * stand-in, with a note saying which, why, and how to get the real one.
 */
public record DataChoice(String name, String note) {

  public static DataChoice text(String preferred, String fallback) {
    try {
      Datasets.text(preferred);
      return new DataChoice(preferred, "");
    } catch (RuntimeException notAvailable) {
      return new DataChoice(fallback, fallbackNote(preferred, fallback, "generated text", notAvailable));
    }
  }

  public static DataChoice images(String preferred, String fallback) {
    try {
      Datasets.images(preferred, Split.TEST);
      return new DataChoice(preferred, "");
    } catch (RuntimeException notAvailable) {
      return new DataChoice(fallback, fallbackNote(preferred, fallback, "generated shapes", notAvailable));
    }
  }

  /**
   * Says that the synthetic stand-in is used, why (the reader's or the resolver's own one-line
   * reason: missing, not downloadable, or a local file that is bad), and which files would give the real data.
   */
  private static String fallbackNote(String preferred, String fallback, String what, RuntimeException why) {
    DatasetSpec spec = DatasetRegistry.get(preferred);
    String reason = why.getMessage() == null ? why.getClass().getSimpleName()
        : why.getMessage().lines().findFirst().orElse("");
    return "training on " + fallback + " (" + what + "), not " + preferred + " (" + reason + ")."
        + " For the real data, set GENAI4J_DATA to a folder holding "
        + spec.folder() + "/" + String.join(", " + spec.folder() + "/", spec.requiredFiles())
        + ", or allow the download (see 'genai4j datasets' and the README's Data section)";
  }

  public TextCorpus corpus() {
    return Datasets.text(name);
  }

  public ImageData split(Split split) {
    return Datasets.images(name, split);
  }
}
