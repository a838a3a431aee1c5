package org.genai4j.samples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.genai4j.samples.Genai4jCli;
import picocli.CommandLine;

/** One run of the command line in this JVM: its exit code, standard output and error output. */
record CliRun(int exit, String out, String err) {

  static CliRun of(String... args) {
    CommandLine cmd = Genai4jCli.commandLine(args);
    StringWriter err = new StringWriter();
    cmd.setErr(new PrintWriter(err, true));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream saved = System.out;
    int exit;
    try {
      System.setOut(new PrintStream(bytes, true));
      exit = cmd.execute(args);
    } finally {
      System.setOut(saved);
    }
    return new CliRun(exit, bytes.toString(), err.toString());
  }

  /** The error as one or two lines (the problem, then where help is), never a page or a stack trace. */
  void isShortError() {
    assertEquals(2, exit, "exit code of a usage error; stderr: " + err);
    assertTrue(err.strip().lines().count() <= 2, "at most two lines: " + err);
    assertFalse(err.contains("\tat ") || err.contains("Exception"), "no stack trace: " + err);
    assertFalse(err.contains("Usage:"), "no usage page: " + err);
  }
}
