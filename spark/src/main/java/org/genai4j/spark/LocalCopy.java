package org.genai4j.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import org.genai4j.datasets.DatasetException;
import org.genai4j.common.util.FileTrees;

/**
 * Reads a file at a Hadoop path with a local-file reader: copies it to a temporary folder, reads
 * the copy, deletes it. The datasets module's readers then check its content as for any local file.
 */
final class LocalCopy {
  private LocalCopy() {}

  static <T> T read(String uri, Function<Path, T> reader) {
    Path dir;
    try {
      dir = Files.createTempDirectory("genai4j-data");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot make a temporary folder for " + uri + ": " + e.getMessage(), e);
    }
    try {
      return reader.apply(HadoopFiles.copyToLocal(uri, dir));
    } catch (DatasetException e) {
      // The message says it all; no cause, so the driver shows this line however deep Spark wraps it.
      throw new IllegalArgumentException("data path " + uri + ": " + e.getMessage());
    } finally {
      try {
        FileTrees.delete(dir);
      } catch (IOException e) {
        // A leftover temporary copy is not worth failing the run for.
      }
    }
  }
}
