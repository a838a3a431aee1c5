package org.genai4j.samples.experiments;

import org.genai4j.datasets.Datasets;
import org.genai4j.datasets.ImageData;
import org.genai4j.datasets.Split;
import org.genai4j.datasets.TextCorpus;

/**
 * The demo's data: the real dataset when it can be found or downloaded, else its synthetic
 * stand-in, with a note saying which and why.
 */
public record DataChoice(String name, String note) {

  public static DataChoice text(String preferred, String fallback) {
    try {
      Datasets.text(preferred);
      return new DataChoice(preferred, "");
    } catch (RuntimeException e) {
      return new DataChoice(fallback, preferred + " was not found locally and could not be downloaded; using " + fallback
          + " (see 'genai4j datasets' and the README's Data section)");
    }
  }

  public static DataChoice images(String preferred, String fallback) {
    try {
      Datasets.images(preferred, Split.TEST);
      return new DataChoice(preferred, "");
    } catch (RuntimeException e) {
      return new DataChoice(fallback, preferred + " was not found locally and could not be downloaded; using " + fallback
          + " (see 'genai4j datasets' and the README's Data section)");
    }
  }

  public TextCorpus corpus() {
    return Datasets.text(name);
  }

  public ImageData split(Split split) {
    return Datasets.images(name, split);
  }
}
