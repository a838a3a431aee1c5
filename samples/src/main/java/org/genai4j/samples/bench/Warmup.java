package org.genai4j.samples.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.function.LongSupplier;
import org.genai4j.common.train.StepRecord;
import org.genai4j.common.train.TrainingListener;

/**
 * A bench's warm-up: at least {@code minSteps} training steps, then until the JIT compilers have
 * been quiet (their time under 2 % of the wall time) over the last {@code quietSteps} steps and
 * {@code quietSeconds}, or until {@code maxSeconds} have passed. As a listener it ends a warm-up
 * run when done; {@link StepTimes} also polls it to start timing once it is done.
 *
 * <p>Why: on two cores the C2 compiler keeps compiling the per-step code for the first 15-30 s of
 * a run (measured: a VAE step is 7-10 ms while it does, 5.8 ms after), and shares a core with a
 * shard while it does. A fixed count of warm-up steps timed that period for the JVM while the
 * PyTorch reference, which has no JIT, was timed in its steady state after 20 steps.
 */
final class Warmup implements TrainingListener {
  /** Compiler time per wall time under which the JIT counts as quiet. */
  private static final double QUIET_SHARE = 0.02;

  private final int minSteps;
  private final int quietSteps;
  private final long quietNanos;
  private final long maxNanos;
  /** True for a warm-up of exactly {@code minSteps}. */
  private final boolean fixed;
  private final LongSupplier clock;
  /** The JIT compilers' total time in milliseconds; null where the JVM does not report it. */
  private final LongSupplier compileMillis;
  /** Per poll: {wall nanos, compiler millis}, the last quiet window's worth. */
  private final ArrayDeque<long[]> recent = new ArrayDeque<>();
  private long begin = -1;
  private int steps;
  private boolean done;
  private boolean quiet;
  private double seconds;

  Warmup(int minSteps, int quietSteps, double quietSeconds, double maxSeconds) {
    this(minSteps, quietSteps, quietSeconds, maxSeconds, false, System::nanoTime, jitMillis());
  }

  /** With a given clock (nanoseconds) and compiler time (milliseconds; null: not reported), for tests. */
  Warmup(int minSteps, int quietSteps, double quietSeconds, double maxSeconds, boolean fixed, LongSupplier clock,
      LongSupplier compileMillis) {
    if (minSteps < 0 || quietSteps < 1 || quietSeconds < 0 || maxSeconds < 0) {
      throw new IllegalArgumentException("warm-up needs minSteps >= 0, quietSteps >= 1 and times >= 0, got "
          + minSteps + ", " + quietSteps + ", " + quietSeconds + ", " + maxSeconds);
    }
    this.minSteps = minSteps;
    this.quietSteps = quietSteps;
    this.quietNanos = (long) (quietSeconds * 1e9);
    this.maxNanos = (long) (maxSeconds * 1e9);
    this.fixed = fixed;
    this.clock = clock;
    this.compileMillis = compileMillis;
    if (fixed && minSteps == 0) {
      done = true;
    }
  }

  /** Exactly {@code steps} warm-up steps, whatever the compilers do. */
  static Warmup steps(int steps) {
    return new Warmup(steps, 1, 0, 0, true, System::nanoTime, null);
  }

  private static LongSupplier jitMillis() {
    CompilationMXBean c = ManagementFactory.getCompilationMXBean();
    return c != null && c.isCompilationTimeMonitoringSupported() ? c::getTotalCompilationTime : null;
  }

  /** Marks the start of the warm-up (else its first poll does). */
  Warmup start() {
    if (begin < 0) {
      begin = clock.getAsLong();
    }
    return this;
  }

  @Override
  public void onStep(StepRecord record) {}

  /** Counts a step; true once the warm-up is over. */
  @Override
  public boolean stopRequested() {
    if (done) {
      return true;
    }
    long now = clock.getAsLong();
    start();
    steps++;
    boolean monitored = !fixed && compileMillis != null;
    if (monitored) {
      recent.addLast(new long[] {now, compileMillis.getAsLong()});
      // Keep just enough polls to cover the quiet window: drop the oldest while the rest still do.
      while (recent.size() > quietSteps + 1) {
        long[] second = secondOldest();
        if (now - second[0] < quietNanos) {
          break;
        }
        recent.removeFirst();
      }
    }
    if (steps >= minSteps) {
      if (!monitored) {
        finish(now, false);
      } else if (quietWindow(now)) {
        finish(now, true);
      } else if (now - begin >= maxNanos) {
        finish(now, false);
      }
    }
    return done;
  }

  private long[] secondOldest() {
    var it = recent.iterator();
    it.next();
    return it.next();
  }

  /** True when the kept polls span the quiet window and the compilers took under the quiet share of it. */
  private boolean quietWindow(long now) {
    long[] first = recent.peekFirst();
    if (recent.size() < quietSteps + 1 || now - first[0] < quietNanos) {
      return false;
    }
    long compileMs = recent.peekLast()[1] - first[1];
    return compileMs < QUIET_SHARE * (now - first[0]) / 1e6;
  }

  private void finish(long now, boolean quietAtEnd) {
    done = true;
    quiet = quietAtEnd;
    seconds = (now - begin) / 1e9;
  }

  /** Whether the warm-up is over. */
  boolean done() {
    return done;
  }

  /** One line for the bench's header: how long the warm-up took and why it ended. */
  String describe() {
    if (!done) {
      return "warm-up not finished";
    }
    String why;
    if (steps == 0) {
      return "no warm-up";
    } else if (quiet) {
      why = String.format(Locale.ROOT, "the JIT compilers being quiet (under %.0f%% of the wall time over the last %d"
          + " steps and %.0f s)", QUIET_SHARE * 100, quietSteps, quietNanos / 1e9);
    } else if (fixed) {
      why = "its fixed step count";
    } else if (compileMillis == null) {
      why = "its step count (this JVM does not report compile time)";
    } else {
      why = String.format(Locale.ROOT, "the %.0f s limit (the compilers were still busy)", maxNanos / 1e9);
    }
    return String.format(Locale.ROOT, "warm-up %d steps, %.1f s, ended by %s", steps, seconds, why);
  }
}
