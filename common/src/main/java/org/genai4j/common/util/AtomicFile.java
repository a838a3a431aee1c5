package org.genai4j.common.util;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes a file so that readers see either the old or the new content, never a half-written one:
 * the content goes to a temporary file in the same folder, which is then moved over the target.
 * Checkpoints, cached classifiers, sample files and reports are all saved this way.
 */
public final class AtomicFile {
  private AtomicFile() {}

  /** Writes the content of a file at the given (temporary) path. */
  @FunctionalInterface
  public interface Content {
    void writeTo(Path file) throws IOException;
  }

  /**
   * Writes {@code target} atomically; {@code what} names the file in the error message (e.g.
   * "checkpoint").
   */
  public static void write(Path target, String what, Content content) {
    try {
      Path dir = target.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, target.getFileName().toString(), ".tmp");
      try {
        content.writeTo(tmp);
        try {
          Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + what + " " + target + ": " + e.getMessage(), e);
    }
  }
}
