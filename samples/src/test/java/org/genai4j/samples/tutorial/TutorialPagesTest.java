package org.genai4j.samples.tutorial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.genai4j.common.util.Threads;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs every chapter of the tutorial in its fast mode (the same code as {@code ./genai4j tutorial
 * N}, smaller sizes, one thread) and checks each figure its page claims against what it printed: a
 * chapter whose numbers drift from its page fails the build. {@code -Dtutorial.mode=full} runs the
 * chapters at their full sizes and checks the pages' full-mode figures instead (minutes per chapter);
 * {@code -Dtutorial.chapters=3,5} runs only those chapters.
 */
class TutorialPagesTest {
  /** The tutorial's pages, from the samples module (the tests' working directory). */
  static final Path DOCS = Path.of("").toAbsolutePath().getParent().resolve("docs/tutorial");
  static final String MODE = System.getProperty("tutorial.mode", "fast");

  @BeforeAll
  static void oneThread() {
    Threads.set(1);
  }

  /** Every chapter, or those {@code -Dtutorial.chapters=3,5} names (to check one page quickly). */
  static IntStream chapters() {
    String only = System.getProperty("tutorial.chapters", "");
    IntStream all = Chapters.all().stream().mapToInt(Chapter::number);
    if (only.isBlank()) {
      return all;
    }
    java.util.Set<Integer> chosen = java.util.Arrays.stream(only.split(",")).map(String::trim)
        .map(Integer::valueOf).collect(java.util.stream.Collectors.toSet());
    return all.filter(chosen::contains);
  }

  @ParameterizedTest(name = "chapter {0}")
  @MethodSource("chapters")
  void printsTheFiguresItsPageClaims(int n, @TempDir Path out) throws Exception {
    Chapter chapter = Chapters.get(n);
    PageFigures page = PageFigures.read(DOCS.resolve(chapter.page()));
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    ChapterRun run = new ChapterRun(!MODE.equals("full"), out, new PrintStream(printed, true, StandardCharsets.UTF_8));
    long t0 = System.nanoTime();
    try {
      chapter.run(run);
    } catch (ChapterSkipped e) {
      Assumptions.abort("chapter " + n + " skipped: " + e.getMessage());
    }
    System.out.printf("chapter %d (%s mode): %.1f s, %d figures%n", n, MODE, (System.nanoTime() - t0) / 1e9,
        run.figures().size());
    Map<String, String> figures = run.figures();
    List<String> problems = new ArrayList<>();
    for (PageFigures.Claim c : page.claims()) {
      if (c.appliesTo(MODE)) {
        String why = c.mismatch(figures.get(c.key()));
        if (why != null) {
          problems.add(chapter.page() + ":" + c.line() + ": " + why);
        }
      }
    }
    assertTrue(problems.isEmpty(), String.join("\n", problems) + "\nthe program printed:\n" + printed);
  }

  @Test
  void everyChapterHasAPageWithCheckedFiguresThatItsTextShows() throws Exception {
    List<String> problems = new ArrayList<>();
    for (Chapter c : Chapters.all()) {
      Path file = DOCS.resolve(c.page());
      if (!Files.isRegularFile(file)) {
        problems.add("chapter " + c.number() + ": no page " + file);
        continue;
      }
      String first = Files.readAllLines(file).get(0);
      String heading = "# Chapter " + c.number() + ": " + c.title();
      if (!first.equals(heading)) {
        problems.add(c.page() + ": the first line should be '" + heading + "', is '" + first + "'");
      }
      PageFigures page = PageFigures.read(file);
      if (page.claims().stream().noneMatch(cl -> cl.appliesTo("fast"))) {
        problems.add(c.page() + ": no figure the tests check (<!-- figure: key=value -->)");
      }
      problems.addAll(page.invisibleClaims());
    }
    assertEquals(List.of(), problems);
  }

  @Test
  void theCommandListsEveryChapterAndRefusesAnUnknownOne() {
    PrintStream stdout = System.out;
    PrintStream stderr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int listed;
    int unknown;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      listed = org.genai4j.samples.Genai4jCli.commandLine("tutorial", "--list").execute("tutorial", "--list");
      unknown = org.genai4j.samples.Genai4jCli.commandLine("tutorial", "99").execute("tutorial", "99");
    } finally {
      System.setOut(stdout);
      System.setErr(stderr);
    }
    assertEquals(0, listed);
    for (Chapter c : Chapters.all()) {
      assertTrue(out.toString(StandardCharsets.UTF_8).contains("docs/tutorial/" + c.page()), c.page());
    }
    assertEquals(2, unknown);
    String message = err.toString(StandardCharsets.UTF_8).strip();
    assertTrue(message.contains("there is no chapter 99") && !message.contains("\n") && !message.contains("Exception"),
        message);
  }

  @Test
  void theReadmeLinksEveryChapter() throws Exception {
    String readme = Files.readString(DOCS.getParent().getParent().resolve("README.md"));
    for (Chapter c : Chapters.all()) {
      assertTrue(readme.contains("docs/tutorial/" + c.page()), "README.md does not link docs/tutorial/" + c.page());
    }
  }
}
