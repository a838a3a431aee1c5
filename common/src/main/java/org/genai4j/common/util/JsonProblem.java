package org.genai4j.common.util;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.util.stream.Collectors;

/**
 * What is wrong with a JSON file, in one line for its user: where (line and column, or the field),
 * and what, without Jackson's internals (Java class names, character codes, source excerpts).
 */
public final class JsonProblem {
  private JsonProblem() {}

  /** E.g. {@code line 3, column 3: unexpected character 'l': was expecting double-quote to start field name}. */
  public static String describe(JsonProcessingException e) {
    // A validation error thrown by the record being read says it best.
    if (e.getCause() instanceof IllegalArgumentException invalid && invalid.getMessage() != null) {
      return invalid.getMessage();
    }
    String what;
    if (e instanceof UnrecognizedPropertyException unknown) {
      what = "unknown field \"" + unknown.getPropertyName() + "\" (known: "
          + unknown.getKnownPropertyIds().stream().map(String::valueOf).sorted().collect(Collectors.joining(", "))
          + ")";
    } else {
      what = plain(e.getOriginalMessage());
    }
    String field = e instanceof JsonMappingException mapping ? fieldPath(mapping) : "";
    JsonLocation at = e.getLocation();
    String where = at != null && at.getLineNr() > 0
        ? "line " + at.getLineNr() + ", column " + at.getColumnNr() + (field.isEmpty() ? "" : " (field " + field + ")")
        : field.isEmpty() ? "" : "field " + field;
    return where.isEmpty() ? what : where + ": " + what;
  }

  private static String fieldPath(JsonMappingException e) {
    return e.getPath().stream()
        .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
        .collect(Collectors.joining(".")).replace(".[", "[");
  }

  /** Jackson's first line without "(code 108)", class names and backticks, starting in lower case. */
  static String plain(String message) {
    String first = message == null ? "malformed" : message.lines().findFirst().orElse("malformed").strip();
    String out = first.replaceAll(" \\(code \\d+\\)", "")
        .replaceAll("\\(('[^']*')\\)", "$1")
        .replaceAll("\\(for [\\w.$]+\\) ", "")
        .replaceAll(" \\(class [\\w.$]+\\)", "")
        .replaceAll("(?:[a-z_$][\\w$]*\\.)+([A-Z][\\w$]*)", "$1")
        .replace("`", "");
    return out.isEmpty() ? out : Character.toLowerCase(out.charAt(0)) + out.substring(1);
  }
}
