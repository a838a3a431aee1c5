package org.genai4j.samples.tutorial;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.genai4j.datasets.DataResolver;
import org.genai4j.datasets.DatasetException;
import org.genai4j.datasets.Datasets;
import org.genai4j.datasets.ImageData;
import org.genai4j.datasets.Split;
import org.genai4j.datasets.TextCorpus;

/**
 * What a chapter's program gets: whether it runs in the fast mode (the tests' smaller sizes, the
 * same code), a folder for what it writes, and where its output goes. Every figure a page quotes
 * is printed as one {@code key=value} line and kept, so a test can compare it with the page.
 */
public final class ChapterRun {
  private final boolean fast;
  private final Path out;
  private final PrintStream stdout;
  private final Map<String, String> figures = new LinkedHashMap<>();

  /**
   * @param fast the smaller sizes the tests run (every figure the page marks "fast" comes from them)
   * @param out this chapter's folder for pictures and runs (created when needed)
   * @param stdout where the chapter prints
   */
  public ChapterRun(boolean fast, Path out, PrintStream stdout) {
    this.fast = fast;
    this.out = out;
    this.stdout = stdout;
  }

  public boolean fast() {
    return fast;
  }

  /** {@code fastValue} in the fast mode, else {@code fullValue}. */
  public int pick(int fastValue, int fullValue) {
    return fast ? fastValue : fullValue;
  }

  /**
   * Threads a training step splits its batch over: 1 in the fast mode (the tests' figures are then
   * the same on every machine), 2 otherwise (fixed, so a reader with more cores sees the page's
   * numbers too).
   */
  public int shards() {
    return fast ? 1 : 2;
  }

  /** The chapter's output folder, created on first use. */
  public Path out() {
    try {
      return Files.createDirectories(out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + out + ": " + e.getMessage(), e);
    }
  }

  /** A file in the output folder. */
  public Path file(String name) {
    return out().resolve(name);
  }

  /** Prints a line of explanation. */
  public void say(String format, Object... args) {
    stdout.println(String.format(Locale.ROOT, format, args));
  }

  /** Prints and records a figure the page quotes: {@code key=value}. */
  public void figure(String key, String value) {
    if (!key.matches("[a-z0-9_.]+")) {
      throw new IllegalArgumentException("figure key '" + key + "' must be lower case, digits, '_' or '.'");
    }
    figures.put(key, value);
    stdout.println(key + "=" + value);
  }

  /** An exact integer figure. */
  public void figure(String key, long value) {
    figure(key, Long.toString(value));
  }

  /** A real figure with {@code decimals} digits after the point. */
  public void figure(String key, double value, int decimals) {
    figure(key, String.format(Locale.ROOT, "%." + decimals + "f", value));
  }

  /** A small figure (a difference near 0) in scientific notation with two digits. */
  public void figureSci(String key, double value) {
    figure(key, String.format(Locale.ROOT, "%.2e", value));
  }

  /** The figures recorded so far, in order. */
  public Map<String, String> figures() {
    return Map.copyOf(figures);
  }

  /** Stops the chapter with {@code reason} (data not found): the command says so and exits normally. */
  public ChapterSkipped skip(String reason) {
    throw new ChapterSkipped(reason);
  }

  /**
   * The text dataset {@code name}, found as every command finds it (README, Data: {@code
   * GENAI4J_DATA}, the cache, system folders, else a checked download). The fast mode (the tests)
   * never downloads. Skips the chapter, with the reason, when the data cannot be had.
   */
  public TextCorpus text(String name) {
    offlineInFastMode(name);
    try {
      return Datasets.text(name);
    } catch (DatasetException e) {
      throw skip(e.getMessage());
    }
  }

  /** The image dataset {@code name}'s split, found as {@link #text} finds text. */
  public ImageData images(String name, Split split) {
    offlineInFastMode(name);
    try {
      return Datasets.images(name, split);
    } catch (DatasetException e) {
      throw skip(e.getMessage());
    }
  }

  /** The file of the labeled-text dataset {@code name} ({@code label<TAB>text} lines), found as {@link #text} finds text. */
  public Path labeledTextFile(String name) {
    offlineInFastMode(name);
    try {
      return Datasets.labeledTextFile(name, DataResolver.defaults(), null);
    } catch (DatasetException e) {
      throw skip(e.getMessage());
    }
  }

  private void offlineInFastMode(String dataset) {
    if (fast && !Datasets.isAvailableOffline(dataset)) {
      skip("the dataset '" + dataset + "' is not found locally (the fast mode does not download): set GENAI4J_DATA"
          + " to a folder holding it (README, Data), or run './genai4j datasets' to see where genai4j looks");
    }
  }
}
