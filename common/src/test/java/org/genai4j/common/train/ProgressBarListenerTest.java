package org.genai4j.common.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProgressBarListenerTest {

  @Test
  void plainModePrintsReadableLinesAtIntervalsEvaluationsAndTheEnd() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (ProgressBarListener l = ProgressBarListener.plain("gpt", "tok", new PrintStream(buf, true), 10)) {
      for (int s = 1; s <= 100; s++) {
        Map<String, Double> eval = s == 50 ? Map.of("val_loss", 1.5) : Map.of();
        l.onStep(new StepRecord(s, 100, Map.of("loss", 2.0), 5000, s * 0.5, eval)); // 0.5 s per step
      }
    }
    List<String> lines = buf.toString().lines().toList();
    // Step 1, then every 10 s (20 steps): 21, 41, 61, 81; the evaluation at 50; the last step.
    assertEquals(List.of(1, 21, 41, 50, 70, 90, 100), lines.stream()
        .map(x -> Integer.parseInt(x.split(" ")[2].split("/")[0])).toList(), String.join("\n", lines));
    String mid = lines.get(3);
    assertTrue(mid.startsWith("gpt step 50/100 (50%)  loss 2.0000  5000 tok/s  val_loss 1.5000  elapsed 25s  eta 25s"),
        mid);
  }

  @Test
  void anEvaluationBeforeTheFirstStepShowsNoLossOrRate() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try (ProgressBarListener l = ProgressBarListener.plain("dpo", "tok", new PrintStream(buf, true), 10)) {
      l.onStep(new StepRecord(0, 10, Map.of(), 0, 0, Map.of("val_loss", 0.6931)));
    }
    String line = buf.toString().strip();
    assertTrue(line.startsWith("dpo step 0/10 (0%)  val_loss 0.6931  elapsed 0s"), line);
  }

  @Test
  void durationsAreCompact() {
    assertEquals("42s", ProgressBarListener.duration(42.2));
    assertEquals("3m05s", ProgressBarListener.duration(185));
    assertEquals("2h03m", ProgressBarListener.duration(7380));
  }
}
