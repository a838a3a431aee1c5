package org.genai4j.samples.tutorial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The page markers the tutorial test relies on: parsed, compared with tolerance, and checked against the prose. */
class PageFiguresTest {

  @Test
  void readsMarkersAndComparesWithTheirTolerance(@TempDir Path dir) throws Exception {
    Path page = dir.resolve("p.md");
    Files.writeString(page, String.join("\n",
        "# Chapter 1: X",
        "It has 809,856 <!-- figure: params=809856 --> parameters and a loss of 2.31 <!-- figure fast: loss=2.31 ±0.02 -->.",
        "| full | 2.29 <!-- figure full: loss=2.29 ±0.03 --> |",
        "yes <!-- figure: ok=yes -->"));
    PageFigures f = PageFigures.read(page);
    assertEquals(4, f.claims().size());
    PageFigures.Claim params = f.claims().get(0);
    assertEquals("both", params.mode());
    assertNull(params.mismatch("809856"));
    assertNotNull(params.mismatch("809857"), "an exact figure that moved by one fails");
    PageFigures.Claim loss = f.claims().get(1);
    assertEquals("fast", loss.mode());
    assertNull(loss.mismatch("2.325"));
    assertNotNull(loss.mismatch("2.34"), "a figure beyond its tolerance fails");
    assertNotNull(loss.mismatch(null), "a figure the program did not print fails");
    assertEquals("full", f.claims().get(2).mode());
    assertNotNull(f.claims().get(3).mismatch("no"));
    assertEquals(List.of(), f.invisibleClaims(), "commas between digits do not hide a number");
  }

  @Test
  void aMarkerWhoseValueTheProseDoesNotShowIsReported(@TempDir Path dir) throws Exception {
    Path page = dir.resolve("p.md");
    Files.writeString(page, "The loss is 2.40 <!-- figure: loss=2.31 -->.\n");
    assertEquals(1, PageFigures.read(page).invisibleClaims().size());
  }
}
