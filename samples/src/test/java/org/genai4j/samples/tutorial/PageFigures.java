package org.genai4j.samples.tutorial;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The figures a tutorial page claims, read from its markers: an HTML comment (invisible on GitHub)
 * right beside the figure it checks, {@code <!-- figure: key=value -->} for a figure both modes
 * print, {@code <!-- figure fast: key=value ±tol -->} or {@code <!-- figure full: ... -->} for one
 * mode's, with an optional absolute tolerance. The value must also appear in the visible text of
 * the marker's line (commas between digits ignored), so the prose cannot drift from the marker.
 */
record PageFigures(Path page, List<Claim> claims) {

  /** One claim: the page's line, the mode (both, fast, full), the key, the value and the tolerance. */
  record Claim(int line, String mode, String key, String value, double tolerance) {
    boolean appliesTo(String runMode) {
      return mode.equals("both") || mode.equals(runMode);
    }

    /** Null when {@code printed} matches, else why not. */
    String mismatch(String printed) {
      if (printed == null) {
        return "the program printed no figure '" + key + "'";
      }
      Double a = number(printed);
      Double b = number(value);
      boolean ok = a != null && b != null ? Math.abs(a - b) <= tolerance + 1e-12 * Math.abs(b) : printed.equals(value);
      return ok ? null : "printed " + key + "=" + printed + ", the page claims " + value
          + (tolerance > 0 ? " ±" + tolerance : "");
    }
  }

  private static final Pattern MARKER = Pattern.compile(
      "<!--\\s*figure(?:\\s+(fast|full))?\\s*:\\s*([a-z0-9_.]+)=(\\S+?)(?:\\s*±\\s*(\\S+?))?\\s*-->");
  private static final Pattern COMMENT = Pattern.compile("<!--.*?-->");

  static PageFigures read(Path page) throws IOException {
    List<String> lines = Files.readAllLines(page);
    List<Claim> claims = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      Matcher m = MARKER.matcher(line);
      while (m.find()) {
        String mode = m.group(1) == null ? "both" : m.group(1);
        double tol = m.group(4) == null ? 0 : Double.parseDouble(m.group(4));
        claims.add(new Claim(i + 1, mode, m.group(2), m.group(3), tol));
      }
    }
    return new PageFigures(page, claims);
  }

  /** Claims whose value does not appear in the visible text of their line, as messages. */
  List<String> invisibleClaims() throws IOException {
    List<String> lines = Files.readAllLines(page);
    List<String> problems = new ArrayList<>();
    for (Claim c : claims) {
      String visible = COMMENT.matcher(lines.get(c.line() - 1)).replaceAll("").replaceAll("(?<=\\d),(?=\\d)", "");
      if (!visible.contains(c.value())) {
        problems.add(page.getFileName() + ":" + c.line() + ": the marker claims " + c.key() + "=" + c.value()
            + " but the line's text does not show " + c.value());
      }
    }
    return problems;
  }

  private static Double number(String s) {
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
