package org.genai4j.samples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The bench warm-up's stopping rule on a fake clock and a fake compiler-time counter. */
class WarmupTest {
  private static final long STEP_NANOS = 100_000_000; // 100 ms per step

  /** Steps of 100 ms; the compilers work {@code busyMsPerStep} in each of the first {@code busySteps} steps. */
  private static final class FakeRun {
    long now;
    int step;
    final int busySteps;
    final long busyMsPerStep;

    FakeRun(int busySteps, long busyMsPerStep) {
      this.busySteps = busySteps;
      this.busyMsPerStep = busyMsPerStep;
    }

    long compileMillis() {
      return busyMsPerStep * Math.min(step, busySteps);
    }

    /** Polls after each step until the warm-up says it is done; returns the steps it took. */
    int stepsUntilDone(Warmup w, int max) {
      w.start();
      while (step < max) {
        now += STEP_NANOS;
        step++;
        if (w.stopRequested()) {
          return step;
        }
      }
      return -1;
    }
  }

  @Test
  void endsOnceTheCompilersWereQuietOverTheWholeWindow() {
    // 10 steps and 1 s of quiet under 2 %: compiling ends with step 20, so step 30 is the first
    // whose last 10 steps saw none (at step 29 the window still holds step 20's 50 ms).
    FakeRun run = new FakeRun(20, 50);
    Warmup w = new Warmup(5, 10, 1, 60, false, () -> run.now, run::compileMillis);
    assertEquals(30, run.stepsUntilDone(w, 1000));
    assertTrue(w.describe().contains("quiet"), w.describe());
    assertTrue(w.describe().startsWith("warm-up 30 steps, 3.0 s"), w.describe());
  }

  @Test
  void aQuietStartStillRunsTheMinimumSteps() {
    FakeRun run = new FakeRun(0, 0);
    Warmup w = new Warmup(50, 10, 1, 60, false, () -> run.now, run::compileMillis);
    assertEquals(50, run.stepsUntilDone(w, 1000));
  }

  @Test
  void aFewMillisecondsOfCompilingPerWindowCountAsQuiet() {
    // 1 ms per 100 ms step is 1 %, under the 2 % share; the first window of 10 steps between
    // polls ends at the 11th poll.
    FakeRun run = new FakeRun(1_000_000, 1);
    Warmup w = new Warmup(5, 10, 1, 60, false, () -> run.now, run::compileMillis);
    assertEquals(11, run.stepsUntilDone(w, 1000));
  }

  @Test
  void busyCompilersEndTheWarmUpAtTheTimeLimit() {
    FakeRun run = new FakeRun(1_000_000, 50);
    Warmup w = new Warmup(5, 10, 1, 2, false, () -> run.now, run::compileMillis);
    assertEquals(20, run.stepsUntilDone(w, 1000));
    assertTrue(w.describe().contains("2 s limit"), w.describe());
  }

  @Test
  void withoutCompilerTimeTheMinimumStepsAreTheWarmUp() {
    FakeRun run = new FakeRun(0, 0);
    Warmup w = new Warmup(7, 10, 1, 60, false, () -> run.now, null);
    assertEquals(7, run.stepsUntilDone(w, 1000));
    assertTrue(w.describe().contains("does not report"), w.describe());
  }

  @Test
  void fixedStepsIgnoreTheCompilers() {
    Warmup three = Warmup.steps(3);
    assertFalse(three.stopRequested());
    assertFalse(three.stopRequested());
    assertTrue(three.stopRequested());
    assertTrue(three.done());
    assertTrue(three.describe().contains("fixed"), three.describe());
    Warmup none = Warmup.steps(0);
    assertTrue(none.done());
    assertEquals("no warm-up", none.describe());
  }

  @Test
  void negativeSettingsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new Warmup(-1, 10, 1, 60));
    assertThrows(IllegalArgumentException.class, () -> new Warmup(1, 0, 1, 60));
    assertThrows(IllegalArgumentException.class, () -> new Warmup(1, 10, -1, 60));
  }
}
