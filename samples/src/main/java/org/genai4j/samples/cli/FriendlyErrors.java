package org.genai4j.samples.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Turns the errors a user can fix (bad flags, missing files, bad configs, unknown datasets) into
 * one line on stderr instead of a stack trace or a page of usage; exit code 2. Set {@code
 * GENAI4J_DEBUG=1} to see the trace of an error raised while running.
 */
public final class FriendlyErrors {
  /** Picocli's exit code for a usage error, also used for every error the user can fix. */
  public static final int USER_ERROR = CommandLine.ExitCode.USAGE;

  private FriendlyErrors() {}

  public static void install(CommandLine cmd) {
    cmd.setParameterExceptionHandler(FriendlyErrors::badArguments);
    cmd.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      if (System.getenv("GENAI4J_DEBUG") != null || !isUserError(ex)) {
        throw ex;
      }
      commandLine.getErr().println(commandName(commandLine) + ": " + FlagNames.translate(ex));
      return USER_ERROR;
    });
  }

  /** One line naming the bad argument (with picocli's nearest options for a typo), then where help is. */
  private static int badArguments(ParameterException ex, String[] args) {
    CommandLine c = ex.getCommandLine();
    String message = ex.getMessage().lines().findFirst().orElse("bad arguments").strip();
    if (ex instanceof UnmatchedArgumentException unmatched) {
      List<String> near = unmatched.getSuggestions().stream().limit(3).toList();
      if (!near.isEmpty()) {
        message += "; did you mean " + String.join(" or ", near) + "?";
      }
    }
    PrintWriter err = c.getErr();
    err.println(commandName(c) + ": " + message);
    err.println("see '" + commandName(c) + " --help'");
    err.flush();
    return USER_ERROR;
  }

  private static String commandName(CommandLine c) {
    return c.getCommandSpec().qualifiedName();
  }

  private static boolean isUserError(Exception ex) {
    return ex instanceof IllegalArgumentException
        || ex instanceof IllegalStateException
        || ex instanceof UncheckedIOException
        || ex.getClass().getSimpleName().endsWith("DatasetException");
  }
}
