package org.genai4j.common.util;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * Data parallelism inside one process, with a thread count chosen per use (a {@code Trainer}'s
 * setting): split a batch into shards, run each on its own thread, spread independent work
 * (optimizer updates, gradient sums) over the same threads.
 *
 * <p>Why threads of our own: ND4J's threading (OpenMP and OpenBLAS threads inside each op) pays a
 * fork and join per op, which on a 2-core machine made the small models' steps slower than one
 * thread. Whole shards on separate Java threads, each calling single-threaded BLAS, synchronize
 * once per step (plus batch norm's sums): two such threads ran matrix products at 1.8-1.9x the
 * rate of one on the 2-core CI machine.
 *
 * <p>The worker threads are shared daemon threads ({@link Worker}); an instance holds only its
 * thread count, so it needs no closing.
 */
public final class Parallel {

  private static final Parallel SERIAL = new Parallel(1);

  private final int threads;

  private Parallel(int threads) {
    this.threads = threads;
  }

  /** Work on up to {@code threads} threads (the caller's included). */
  public static Parallel of(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("thread count must be >= 1, got " + threads);
    }
    return threads == 1 ? SERIAL : new Parallel(threads);
  }

  /** Everything on the calling thread. */
  public static Parallel serial() {
    return SERIAL;
  }

  /**
   * The default for training: one thread per core when ND4J's ops and BLAS run one thread each
   * (the CLI's setting on small machines, and the tests'), else 1, since shards on top of
   * multi-threaded BLAS would oversubscribe the cores.
   */
  public static int defaultThreads() {
    return Threads.blas() == 1 && Threads.openMp() == 1 ? Runtime.getRuntime().availableProcessors() : 1;
  }

  public int threads() {
    return threads;
  }

  /**
   * Splits {@code rows} into {@code parts} contiguous ranges as even as possible (the first ones one
   * larger); returns their {@code parts + 1} boundaries.
   */
  public static int[] bounds(int rows, int parts) {
    if (parts < 1 || parts > Math.max(1, rows)) {
      throw new IllegalArgumentException("cannot split " + rows + " rows into " + parts + " parts");
    }
    int[] b = new int[parts + 1];
    for (int s = 0; s < parts; s++) {
      b[s + 1] = b[s] + rows / parts + (s < rows % parts ? 1 : 0);
    }
    return b;
  }

  /** As {@link #run(int, IntConsumer, Runnable)} with nothing to do on failure. */
  public void run(int tasks, IntConsumer task) {
    run(tasks, task, () -> {});
  }

  /**
   * Runs {@code task.accept(i)} for every {@code i} in {@code 0..tasks-1} at the same time, task 0
   * on the calling thread, and returns when all are done; {@code tasks} must not exceed {@link
   * #threads()}, since tasks may wait for each other. When a task fails, {@code onFailure} runs
   * (e.g. to release tasks waiting for it) and the first failure is rethrown.
   */
  public void run(int tasks, IntConsumer task, Runnable onFailure) {
    if (tasks < 1 || tasks > threads) {
      throw new IllegalArgumentException("cannot run " + tasks + " tasks at once on " + threads + " threads");
    }
    if (tasks == 1) {
      task.accept(0);
      return;
    }
    // The first failure in time is the cause; tasks released by onFailure fail after it.
    java.util.concurrent.atomic.AtomicReference<Throwable> first = new java.util.concurrent.atomic.AtomicReference<>();
    IntConsumer guarded = i -> {
      try {
        task.accept(i);
      } catch (RuntimeException | Error e) {
        first.compareAndSet(null, e);
        onFailure.run();
        throw e;
      }
    };
    // OpenMP's thread count is per calling thread: workers get the caller's (native ops such as
    // oneDNN's convolutions would otherwise start a team per core in every task).
    int openMp = Threads.openMp();
    Thread caller = Thread.currentThread();
    java.util.concurrent.atomic.AtomicInteger remaining = new java.util.concurrent.atomic.AtomicInteger(tasks - 1);
    java.util.concurrent.atomic.AtomicReferenceArray<Throwable> failures =
        new java.util.concurrent.atomic.AtomicReferenceArray<>(tasks);
    for (int s = 1; s < tasks; s++) {
      int i = s;
      Worker.take().start(() -> {
        try {
          Threads.setOpenMpForThisThread(openMp);
          guarded.accept(i);
        } catch (Throwable t) {
          failures.set(i, t);
        }
      }, () -> {
        if (remaining.decrementAndGet() == 0) {
          LockSupport.unpark(caller);
        }
      });
    }
    Throwable failure = null;
    try {
      guarded.accept(0);
    } catch (RuntimeException | Error e) {
      failure = e;
    }
    awaitZero(remaining);
    for (int i = 1; i < tasks && failure == null; i++) {
      failure = failures.get(i);
    }
    if (first.get() != null) {
      failure = first.get();
    }
    if (failure instanceof RuntimeException r) {
      throw r;
    }
    if (failure instanceof Error e) {
      throw e;
    }
    if (failure != null) {
      throw new IllegalStateException("a parallel task failed", failure);
    }
  }

  /**
   * Runs {@code item.accept(i)} for every item {@code i} of {@code sizes}, spread over the threads
   * so that each gets about the same total size; the items must be independent of each other.
   * Threads take the items largest first as they become free, so a thread that starts late (a
   * worker waking up) or runs slowly does less of the work.
   */
  public void forEachBalanced(long[] sizes, IntConsumer item) {
    int workers = Math.max(1, Math.min(threads, sizes.length));
    if (workers == 1) {
      for (int i = 0; i < sizes.length; i++) {
        item.accept(i);
      }
      return;
    }
    Integer[] order = new Integer[sizes.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (a, b) -> Long.compare(sizes[b], sizes[a]));
    java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
    run(workers, w -> {
      for (int k = next.getAndIncrement(); k < order.length; k = next.getAndIncrement()) {
        item.accept(order[k]);
      }
    });
  }

  @Override
  public String toString() {
    return "Parallel[" + threads + " threads]";
  }

  /**
   * How long a thread that waits for work (a worker between tasks, a caller for its workers) keeps
   * checking before it sleeps. Waking a sleeping thread took tens of microseconds on the 2-core
   * machines, several times per training step; the shards of one step finish within about this
   * much of each other, and the next task of a step (after the batch is drawn, the optimizer's
   * pass) follows within it. Measured on the VAE step: 200 us of spinning left the second shard
   * starting 0.2-0.3 ms late on average, 1-5 ms about 0.15 ms.
   */
  public static final long SPIN_NANOS = 1_000_000;

  /** Waits, spinning at first, until {@code count} is 0; its last decrement unparks this thread. */
  private static void awaitZero(java.util.concurrent.atomic.AtomicInteger count) {
    long deadline = System.nanoTime() + SPIN_NANOS;
    while (count.get() > 0) {
      if (System.nanoTime() < deadline) {
        Thread.onSpinWait();
      } else {
        LockSupport.park(count);
      }
    }
  }

  /**
   * A daemon thread that runs one task at a time and, between tasks, waits in the pool of idle
   * workers: spinning for {@link #SPIN_NANOS}, then parked. The pool grows when every worker is busy
   * (tasks that run tasks of their own), as a cached thread pool does.
   */
  private static final class Worker extends Thread {
    private static final java.util.concurrent.ConcurrentLinkedDeque<Worker> IDLE =
        new java.util.concurrent.ConcurrentLinkedDeque<>();
    private volatile Runnable task;
    private volatile Runnable done;

    private Worker() {
      super("genai4j-worker");
      setDaemon(true);
    }

    /** An idle worker, or a new one. */
    static Worker take() {
      Worker w = IDLE.pollFirst();
      if (w == null) {
        w = new Worker();
        w.start();
      }
      return w;
    }

    /** Hands this (idle) worker its next task, and what to run once it is idle again. */
    void start(Runnable next, Runnable whenDone) {
      done = whenDone;
      task = next;
      LockSupport.unpark(this);
    }

    @Override
    public void run() {
      while (true) {
        long deadline = System.nanoTime() + SPIN_NANOS;
        Runnable next;
        while ((next = task) == null) {
          if (System.nanoTime() < deadline) {
            Thread.onSpinWait();
          } else {
            LockSupport.park(this);
          }
        }
        Runnable whenDone = done;
        task = null;
        try {
          next.run();
        } catch (Throwable t) {
          // The task records its own failures; nothing may stop the worker.
        }
        // Idle again before the caller hears of it, so that the caller's next task finds this
        // worker, still spinning, rather than a sleeping one. Most recently idle first.
        IDLE.addFirst(this);
        whenDone.run();
      }
    }
  }
}
