package org.genai4j.common.util;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
 * <p>The worker threads come from one shared pool of daemon threads; an instance holds only its
 * thread count, so it needs no closing.
 */
public final class Parallel {

  private static final ExecutorService WORKERS = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "genai4j-worker");
    t.setDaemon(true);
    return t;
  });

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
    List<Future<?>> others = new ArrayList<>(tasks - 1);
    // OpenMP's thread count is per calling thread: workers get the caller's (native ops such as
    // oneDNN's convolutions would otherwise start a team per core in every task).
    int openMp = Threads.openMp();
    for (int s = 1; s < tasks; s++) {
      int i = s;
      others.add(WORKERS.submit(() -> {
        Threads.setOpenMpForThisThread(openMp);
        guarded.accept(i);
      }));
    }
    Throwable failure = null;
    try {
      guarded.accept(0);
    } catch (RuntimeException | Error e) {
      failure = e;
    }
    for (Future<?> f : others) {
      try {
        f.get();
      } catch (ExecutionException e) {
        failure = failure == null ? e.getCause() : failure;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failure = failure == null ? e : failure;
      }
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
   */
  public void forEachBalanced(long[] sizes, IntConsumer item) {
    int workers = Math.max(1, Math.min(threads, sizes.length));
    if (workers == 1) {
      for (int i = 0; i < sizes.length; i++) {
        item.accept(i);
      }
      return;
    }
    // Largest first, each to the worker with the least work so far.
    Integer[] order = new Integer[sizes.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(order, (a, b) -> Long.compare(sizes[b], sizes[a]));
    List<List<Integer>> assigned = new ArrayList<>();
    long[] load = new long[workers];
    for (int w = 0; w < workers; w++) {
      assigned.add(new ArrayList<>());
    }
    for (int i : order) {
      int least = 0;
      for (int w = 1; w < workers; w++) {
        if (load[w] < load[least]) {
          least = w;
        }
      }
      assigned.get(least).add(i);
      load[least] += sizes[i];
    }
    run(workers, w -> assigned.get(w).forEach(item::accept));
  }

  @Override
  public String toString() {
    return "Parallel[" + threads + " threads]";
  }
}
