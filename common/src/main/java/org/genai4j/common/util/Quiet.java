package org.genai4j.common.util;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.function.Supplier;

/**
 * Runs code with {@code System.out} silenced. SameDiff 1.0.0-M2.1 prints "Added differentiated
 * op ..." to stdout for every op when it builds a gradient function; users must not see that.
 */
public final class Quiet {
  private Quiet() {}

  private static final PrintStream NULL = new PrintStream(OutputStream.nullOutputStream());

  public static synchronized <T> T call(Supplier<T> body) {
    PrintStream saved = System.out;
    System.setOut(NULL);
    try {
      return body.get();
    } finally {
      System.setOut(saved);
    }
  }

  public static void run(Runnable body) {
    call(() -> {
      body.run();
      return null;
    });
  }
}
