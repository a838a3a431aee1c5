package org.genai4j.samples.cli;

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
    cmd.setErr(new PrintWriter(err));
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
}
