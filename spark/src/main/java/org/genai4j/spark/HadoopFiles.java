package org.genai4j.spark;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.SparkEnv;
import org.apache.spark.deploy.SparkHadoopUtil;

/**
 * Reads files at any path Hadoop can open: plain local paths, {@code file://}, {@code hdfs://},
 * {@code s3a://} (with the connector on the classpath), with the Hadoop settings of the running
 * Spark application ({@code spark.hadoop.*}), on the driver or an executor alike.
 */
public final class HadoopFiles {
  private HadoopFiles() {}

  /** The file's length; a one-line error naming {@code uri} when it is missing, a folder or unreadable. */
  public static long length(String uri) {
    try {
      FileStatus status = fileSystem(uri).getFileStatus(new org.apache.hadoop.fs.Path(uri));
      if (status.isDirectory()) {
        throw new IllegalArgumentException("data path " + uri + " is a folder; expected a file");
      }
      return status.getLen();
    } catch (FileNotFoundException e) {
      throw new IllegalArgumentException("data path " + uri + " does not exist");
    } catch (IOException | RuntimeException e) {
      if (e instanceof IllegalArgumentException i && i.getMessage() != null && i.getMessage().startsWith("data path")) {
        throw i;
      }
      throw new IllegalArgumentException("cannot read data path " + uri + ": " + firstLine(e));
    }
  }

  /** True when something is at {@code uri}; a one-line error naming it when it cannot be asked. */
  public static boolean exists(String uri) {
    try {
      return fileSystem(uri).exists(new org.apache.hadoop.fs.Path(uri));
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("cannot read data path " + uri + ": " + firstLine(e));
    }
  }

  /** True when {@code uri} is a folder; a one-line error naming it when it does not exist or cannot be read. */
  public static boolean isFolder(String uri) {
    try {
      return fileSystem(uri).getFileStatus(new org.apache.hadoop.fs.Path(uri)).isDirectory();
    } catch (FileNotFoundException e) {
      throw new IllegalArgumentException("data path " + uri + " does not exist");
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("cannot read data path " + uri + ": " + firstLine(e));
    }
  }

  /**
   * Copies the file at {@code uri} into {@code dir} (under its own name) and returns the copy, so
   * the datasets module's readers, which read local files, take it as they take any other.
   */
  public static Path copyToLocal(String uri, Path dir) {
    length(uri);
    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(uri);
    Path local = dir.resolve(path.getName().isEmpty() ? "data" : path.getName());
    try (InputStream in = fileSystem(uri).open(path)) {
      Files.copy(in, local, StandardCopyOption.REPLACE_EXISTING);
      return local;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read data path " + uri + ": " + firstLine(e), e);
    }
  }

  private static FileSystem fileSystem(String uri) throws IOException {
    return new org.apache.hadoop.fs.Path(uri).getFileSystem(configuration());
  }

  /** The Spark application's Hadoop configuration when one runs in this JVM, else Hadoop's defaults. */
  private static Configuration configuration() {
    SparkEnv env = SparkEnv.get();
    return env == null ? new Configuration() : SparkHadoopUtil.get().newConfiguration(env.conf());
  }

  static String firstLine(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
