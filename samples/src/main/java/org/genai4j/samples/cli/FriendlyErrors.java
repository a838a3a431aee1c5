package org.genai4j.samples.cli;

import java.io.UncheckedIOException;
import picocli.CommandLine;

/**
 * Turns the errors a user can fix (bad flags, missing files, bad configs, unknown datasets) into
 * one line on stderr instead of a stack trace. Set {@code GENAI4J_DEBUG=1} to see the trace.
 */
public final class FriendlyErrors {
  private FriendlyErrors() {}

  public static void install(CommandLine cmd) {
    cmd.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      if (System.getenv("GENAI4J_DEBUG") != null || !isUserError(ex)) {
        throw ex;
      }
      commandLine.getErr().println("genai4j " + commandLine.getCommandName() + ": " + ex.getMessage());
      return 2;
    });
  }

  private static boolean isUserError(Exception ex) {
    return ex instanceof IllegalArgumentException
        || ex instanceof IllegalStateException
        || ex instanceof UncheckedIOException
        || ex.getClass().getSimpleName().endsWith("DatasetException");
  }
}
