package org.genai4j.samples.report;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Runs Debian's headless Chromium (package {@code chromium}, installed by .ci/run) on a page. */
final class Chromium {
  private Chromium() {}

  static final Path BINARY = Path.of("/usr/bin/chromium");

  /** The page's DOM after its load handlers ran. Skips the test when Chromium is not installed. */
  static String dumpDom(Path html) throws IOException, InterruptedException {
    assumeTrue(Files.isExecutable(BINARY), "chromium is not installed (apt-get install chromium)");
    Path profile = Files.createTempDirectory("chromium-profile");
    Process p = new ProcessBuilder(BINARY.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--user-data-dir=" + profile, "--virtual-time-budget=5000", "--dump-dom",
        html.toUri().toString())
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("chromium did not finish within 60 s");
    }
    return new String(out, StandardCharsets.UTF_8);
  }
}
