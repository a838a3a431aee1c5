package org.genai4j.spark;

import org.genai4j.datasets.IdxReader;
import org.genai4j.datasets.TextCorpusReader;

/**
 * The data set an executor JVM trains on, read from its path on first use and kept for the run
 * (one at a time: a new data set replaces the old), shared by all tasks in the JVM.
 */
final class ExecutorDatasets {
  private ExecutorDatasets() {}

  private static String loadedId;
  private static ExecutorDataset loaded;

  /** The data set {@code data}, read from its path when this JVM does not hold it yet. */
  static synchronized ExecutorDataset get(SparkData data) {
    if (!data.id().equals(loadedId)) {
      loaded = null; // let the previous data set go before reading this one
      loadedId = null;
      loaded = read(data);
      loadedId = data.id();
    }
    return loaded;
  }

  /** Reads {@code data} from its path; a one-line error naming the path on failure. */
  private static ExecutorDataset read(SparkData data) {
    return LocalCopy.read(data.uri(), file -> {
      if (data instanceof SparkData.Text t) {
        String name = new org.apache.hadoop.fs.Path(t.uri()).getName();
        String text = TextCorpusReader.read(name, file).text();
        return new ExecutorDataset.Tokens(t.encoding().trainingTokens(name, text));
      }
      return new ExecutorDataset.Images(IdxReader.readImages(file));
    });
  }

  /** Forgets data set {@code id} (when the driver shares this JVM, at the end of its run). */
  static synchronized void release(String id) {
    if (id.equals(loadedId)) {
      loaded = null;
      loadedId = null;
    }
  }

  /** The batch a task computes on: {@code batch} itself, or the rows it names from this JVM's data set. */
  static org.genai4j.common.train.Batch materialize(SparkData data, org.genai4j.common.train.Batch batch) {
    return data == null ? batch : get(data).gather(batch);
  }
}
