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
    String reason = firstItem(why);
    return "training on " + fallback + " (" + what + "), not " + preferred + " (" + reason + ")."
        + " For the real data, set GENAI4J_DATA to a folder holding "
        + spec.folder() + "/" + String.join(", " + spec.folder() + "/", spec.requiredFiles())
        + ", or allow the download (see 'genai4j datasets' and the README's Data section)";
  }

  /**
   * The first line of a reason, with the list that follows it when it ends in a colon (the
   * resolver's "Looked in:" and its places), as one line.
   */
  private static String firstItem(RuntimeException why) {
    if (why.getMessage() == null) {
      return why.getClass().getSimpleName();
    }
    java.util.List<String> lines = why.getMessage().lines().toList();
    StringBuilder s = new StringBuilder(lines.get(0).strip());
    if (s.toString().endsWith(":")) {
      for (int i = 1; i < lines.size() && lines.get(i).startsWith("  - "); i++) {
        s.append(i == 1 ? " " : ", ").append(lines.get(i).substring(4).strip());
      }
    }
    return s.toString();
  }

  public TextCorpus corpus() {
    return Datasets.text(name);
  }

  public ImageData split(Split split) {
    return Datasets.images(name, split);
  }
}
