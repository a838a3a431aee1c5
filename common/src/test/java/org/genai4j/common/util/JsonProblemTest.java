package org.genai4j.common.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** Jackson's errors become one line a user can act on: where, and what, without Java internals. */
class JsonProblemTest {

  /** A record read by Jackson in the tests. */
  record Shape(int width, String name) {
    Shape {
      if (width < 1) {
        throw new IllegalArgumentException("width must be >= 1, got " + width);
      }
    }
  }

  private static String problem(String json) {
    JsonProcessingException e = assertThrows(JsonProcessingException.class,
        () -> new ObjectMapper().readValue(json, Shape.class));
    return JsonProblem.describe(e);
  }

  @Test
  void syntaxErrorGivesLineAndColumnWithoutCharacterCodes() {
    assertEquals("line 2, column 2: unexpected character 'w': was expecting double-quote to start field name",
        problem("{\n width: 3}"));
  }

  @Test
  void unknownFieldListsTheKnownOnes() {
    assertEquals("line 1, column 13 (field nme): unknown field \"nme\" (known: name, width)",
        problem("{\"width\": 3, \"nme\": \"a\"}").replaceAll("column \\d+", "column 13"));
  }

  @Test
  void wrongTypeNamesTheFieldAndNoJavaPackage() {
    String p = problem("{\"width\": \"wide\"}");
    assertEquals("line 1, column 11 (field width): cannot deserialize value of type int from String \"wide\":"
        + " not a valid int value", p.replaceAll("column \\d+", "column 11"));
  }

  @Test
  void validationOfTheRecordIsItsOwnMessage() {
    assertEquals("width must be >= 1, got 0", problem("{\"width\": 0}"));
  }
}
