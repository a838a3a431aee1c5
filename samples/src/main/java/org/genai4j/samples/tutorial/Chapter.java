package org.genai4j.samples.tutorial;

/**
 * One chapter of the tutorial: a page ({@code docs/tutorial/<page>}) and the program that prints
 * the figures the page quotes. {@code ./genai4j tutorial N} runs it.
 */
public interface Chapter {

  /** The chapter's number, 1-based. */
  int number();

  /** The chapter's title, as on its page. */
  String title();

  /** The page's file name under {@code docs/tutorial}, e.g. {@code 01-tokens.md}. */
  String page();

  /**
   * Runs the chapter: prints what it shows and records each figure the page quotes with {@link
   * ChapterRun#figure}; {@link ChapterRun#skip} when data it needs is not there.
   */
  void run(ChapterRun run) throws Exception;
}
