package org.genai4j.spark;

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
      loaded = data.load();
      loadedId = data.id();
    }
    return loaded;
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
