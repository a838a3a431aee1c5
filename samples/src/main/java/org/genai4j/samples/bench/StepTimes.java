package org.genai4j.samples.bench;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.function.LongSupplier;
import org.genai4j.common.train.StepRecord;
import org.genai4j.common.train.TrainingListener;

/**
 * Wall time of each training step, taken between the trainer's polls of {@link #stopRequested}
 * (one per step), so a bench can report the median step as the PyTorch references do
 * ({@code ../shared/bench/benchutil.py}: the median of the timed steps) next to the mean. Steps
 * are kept once the {@link Warmup} (if any) is done; {@code limit} ends the run after that many
 * kept steps (0: never). The process's CPU time (all threads) over the kept steps is added up too.
 */
final class StepTimes implements TrainingListener {
  private final Warmup warmup;
  private final LongSupplier clock;
  private final LongSupplier cpuClock;
  private int stopAt;
  private long[] nanos = new long[64];
  private int kept;
  private long last;
  private long lastCpu;
  private long cpuNanos;

  /** Keeps every step; {@code limit}: as {@link #StepTimes(Warmup, int)}. */
  StepTimes(int limit) {
    this(null, limit);
  }

  /** Keeps every step, with given clocks, for tests. */
  StepTimes(int limit, LongSupplier clock, LongSupplier cpuClock) {
    this(null, limit, clock, cpuClock);
  }

  /** Keeps the steps after {@code warmup} (null: none) is done, up to {@code limit} (0: no limit). */
  StepTimes(Warmup warmup, int limit) {
    this(warmup, limit, System::nanoTime, StepTimes::processCpuNanos);
  }

  /** With given clocks (nanoseconds of wall and of CPU time), for tests. */
  StepTimes(Warmup warmup, int limit, LongSupplier clock, LongSupplier cpuClock) {
    this.warmup = warmup;
    this.stopAt = limit;
    this.clock = clock;
    this.cpuClock = cpuClock;
  }

  /**
   * Marks the start of the next step and asks the run to end after {@code steps} more kept steps:
   * call just before a trainer runs, with more steps configured than that, so that its last step
   * is polled too.
   */
  StepTimes start(int steps) {
    stopAt = kept + steps;
    return start();
  }

  /** Marks the start of the next step: call just before a trainer runs. */
  StepTimes start() {
    if (warmup != null) {
      warmup.start();
    }
    last = clock.getAsLong();
    lastCpu = cpuClock.getAsLong();
    return this;
  }

  @Override
  public void onStep(StepRecord record) {}

  @Override
  public boolean stopRequested() {
    long now = clock.getAsLong();
    long cpu = cpuClock.getAsLong();
    if (warmup != null && !warmup.done()) {
      warmup.stopRequested();
    } else {
      if (kept == nanos.length) {
        nanos = Arrays.copyOf(nanos, kept * 2);
      }
      nanos[kept++] = now - last;
      cpuNanos += cpu - lastCpu;
    }
    last = now;
    lastCpu = cpu;
    return stopAt > 0 && kept >= stopAt;
  }

  /** Steps kept so far. */
  int count() {
    return kept;
  }

  /** Median kept step in milliseconds (the mean of the middle two for an even count). */
  double medianMs() {
    if (kept == 0) {
      throw new IllegalStateException("no step was timed");
    }
    long[] sorted = Arrays.copyOf(nanos, kept);
    Arrays.sort(sorted);
    double mid = kept % 2 == 1 ? sorted[kept / 2] : (sorted[kept / 2 - 1] + sorted[kept / 2]) / 2.0;
    return mid / 1e6;
  }

  /** The process's CPU time per kept step in milliseconds (0 where the JVM does not report it). */
  double cpuMsPerStep() {
    return kept == 0 ? 0 : cpuNanos / 1e6 / kept;
  }

  /** Mean kept step in milliseconds. */
  double meanMs() {
    if (kept == 0) {
      throw new IllegalStateException("no step was timed");
    }
    long sum = 0;
    for (int i = 0; i < kept; i++) {
      sum += nanos[i];
    }
    return sum / 1e6 / kept;
  }

  /** CPU time of this process, all threads (the shards' too). */
  static long processCpuNanos() {
    var os = ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0;
  }
}
