package org.genai4j.samples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The bench's step timer on a clock the test moves, so no assertion depends on the machine's speed. */
class StepTimesTest {
  private static final long MS = 1_000_000;

  /** A clock that the test advances; the CPU clock runs at twice its rate (two busy threads). */
  private static final class FakeClock {
    long now;

    long wall() {
      return now;
    }

    long cpu() {
      return 2 * now;
    }
  }

  /** Polls after steps of the given milliseconds; returns what the last poll said. */
  private static boolean run(StepTimes times, FakeClock clock, long... stepMs) {
    boolean stop = false;
    times.start();
    for (long ms : stepMs) {
      clock.now += ms * MS;
      stop = times.stopRequested();
    }
    return stop;
  }

  @Test
  void medianIgnoresOneSlowStepThatMovesTheMean() {
    FakeClock clock = new FakeClock();
    StepTimes times = new StepTimes(Warmup.steps(1), 0, clock::wall, clock::cpu);
    assertFalse(run(times, clock, 200, 5, 5, 6, 5, 120));
    assertEquals(5, times.count(), "the warm-up step is not kept");
    assertEquals(5.0, times.medianMs(), 1e-9);
    assertEquals((5 + 5 + 6 + 5 + 120) / 5.0, times.meanMs(), 1e-9);
    assertEquals(2 * times.meanMs(), times.cpuMsPerStep(), 1e-9, "CPU time of the kept steps only");
  }

  @Test
  void evenCountTakesTheMeanOfTheMiddleTwo() {
    FakeClock clock = new FakeClock();
    StepTimes times = new StepTimes(0, clock::wall, clock::cpu);
    run(times, clock, 10, 90, 10, 90);
    assertEquals(50.0, times.medianMs(), 1e-9);
  }

  @Test
  void limitEndsTheRunAfterThatManyKeptSteps() {
    FakeClock clock = new FakeClock();
    StepTimes times = new StepTimes(Warmup.steps(2), 3, clock::wall, clock::cpu);
    assertFalse(run(times, clock, 1, 1, 1, 1));
    assertTrue(run(times, clock, 1));
    assertEquals(3, times.count());
  }

  @Test
  void eachRoundTimesItsOwnStepsAndNotTheGapBetweenRounds() {
    FakeClock clock = new FakeClock();
    StepTimes times = new StepTimes(0, clock::wall, clock::cpu);
    times.start(2);
    clock.now += 7 * MS;
    assertFalse(times.stopRequested());
    clock.now += 7 * MS;
    assertTrue(times.stopRequested(), "the round's two steps are done");
    clock.now += 1000 * MS; // a new trainer is built between rounds
    times.start(1);
    clock.now += 9 * MS;
    assertTrue(times.stopRequested());
    assertEquals(3, times.count());
    assertEquals(23 / 3.0, times.meanMs(), 1e-9);
  }

  @Test
  void nothingTimedIsAnError() {
    assertThrows(IllegalStateException.class, () -> new StepTimes(0).medianMs());
  }
}
