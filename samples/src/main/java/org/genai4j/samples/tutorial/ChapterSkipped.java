package org.genai4j.samples.tutorial;

/** Thrown by {@link ChapterRun#skip} when a chapter cannot run here (its data is not found). */
public final class ChapterSkipped extends RuntimeException {
  public ChapterSkipped(String reason) {
    super(reason);
  }
}
