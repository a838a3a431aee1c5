package org.genai4j.samples.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.genai4j.common.util.Threads;
import org.genai4j.samples.tutorial.Chapter;
import org.genai4j.samples.tutorial.ChapterRun;
import org.genai4j.samples.tutorial.ChapterSkipped;
import org.genai4j.samples.tutorial.Chapters;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code genai4j tutorial N}: runs chapter N of the tutorial ({@code docs/tutorial}); {@code --list} lists them. */
@Command(name = "tutorial", mixinStandardHelpOptions = true,
    description = "Run a chapter of the tutorial (docs/tutorial): it prints the figures its page quotes.")
public final class TutorialCommand implements Callable<Integer> {

  @Parameters(index = "0", arity = "0..1", paramLabel = "N", description = "The chapter to run (1, 2, ...).")
  Integer chapter;

  @Option(names = "--list", description = "List the chapters and their pages.")
  boolean list;

  @Option(names = "--fast", description = "The smaller sizes the tests run (the page's figures marked 'fast').")
  boolean fast;

  @Option(names = "--out", paramLabel = "DIR", defaultValue = "runs/tutorial",
      description = "Folder for the pictures and runs a chapter writes (a subfolder per chapter: 05, or 05-fast).")
  Path out;

  @Override
  public Integer call() throws Exception {
    if (list || chapter == null) {
      for (Chapter c : Chapters.all()) {
        System.out.printf("%2d  %-40s docs/tutorial/%s%n", c.number(), c.title(), c.page());
      }
      if (!list) {
        System.out.println("run one with: genai4j tutorial N");
      }
      return 0;
    }
    Chapter c = Chapters.get(chapter);
    // One ND4J thread, as the pages' figures were made (and faster on small machines).
    Threads.set(1);
    System.out.printf("# Chapter %d: %s (docs/tutorial/%s)%s%n", c.number(), c.title(), c.page(),
        fast ? ", fast mode" : "");
    ChapterRun run = new ChapterRun(fast, out.resolve(String.format("%02d", c.number()) + (fast ? "-fast" : "")), System.out);
    try {
      c.run(run);
    } catch (ChapterSkipped e) {
      System.out.println("skipped: " + e.getMessage());
    }
    return 0;
  }
}
