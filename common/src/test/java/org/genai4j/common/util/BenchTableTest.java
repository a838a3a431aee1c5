package org.genai4j.common.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class BenchTableTest {

  @Test
  void alignsColumnsUnderAMachineHeader() {
    String s = new BenchTable("GPT step", "config", "threads", "ms/step")
        .row("4x128", 1, 148.25)
        .row("4x128 long name", 2, 1292.0)
        .render();
    List<String> lines = s.lines().toList();
    assertEquals("## GPT step", lines.get(0));
    assertTrue(lines.get(1).startsWith("machine: ") && lines.get(1).contains("cores"), lines.get(1));
    assertEquals("config           threads  ms/step", lines.get(2));
    assertEquals("---------------  -------  -------", lines.get(3));
    assertEquals("4x128                  1    148.3", lines.get(4));
    assertEquals("4x128 long name        2     1292", lines.get(5));
    // Numbers end at the same column.
    assertEquals(lines.get(4).length(), lines.get(5).length());
  }

  @Test
  void rowWithWrongCellCountIsRejected() {
    var e = assertThrows(IllegalArgumentException.class, () -> new BenchTable("t", "a", "b").row(1));
    assertTrue(e.getMessage().contains("1 cells") && e.getMessage().contains("2 columns"), e.getMessage());
  }
}
