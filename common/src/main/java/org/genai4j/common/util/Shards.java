package org.genai4j.common.util;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Data parallelism inside one process: a hand-written training step splits its batch into shards,
 * computes each shard's loss and gradients on its own thread, and sums the gradients
 * ({@link org.genai4j.common.train.GradientSum}).
 *
 * <p>Why: ND4J's own threading (OpenMP and OpenBLAS threads inside each op) pays a fork and join per
 * op, which on a 2-core machine made the small models' steps slower than one thread. Whole shards
 * on separate Java threads, each calling single-threaded BLAS, synchronize once per step: two such
 * threads ran matrix products at 1.8-1.9x the rate of one on the 2-core CI machine.
 *
 * <p>The shard count defaults to the core count when ND4J's ops and BLAS use one thread each (the
 * CLI's setting on small machines, and the tests'), else 1: shards on top of multi-threaded BLAS
 * would oversubscribe the cores. {@link #setCount} overrides it.
 */
public final class Shards {
  private Shards() {}

  private static final ExecutorService WORKERS = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "genai4j-shard");
    t.setDaemon(true);
    return t;
  });

  private static volatile int configured;

  /** The shard count hand-written training steps use (see the class comment). */
  public static int count() {
    int n = configured;
    if (n > 0) {
      return n;
    }
    return Threads.blas() == 1 && Threads.openMp() == 1 ? Runtime.getRuntime().availableProcessors() : 1;
  }

  /** The count set by {@link #setCount}, 0 when automatic. */
  public static int configuredCount() {
    return configured;
  }

  /** Sets the shard count; 0 restores the automatic choice. */
  public static void setCount(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("shard count must be >= 0 (0: automatic), got " + n);
    }
    configured = n;
  }

  /** The shard count to use for a batch of {@code rows}: {@link #count()}, at most one per row. */
  public static int countFor(int rows) {
    return Math.max(1, Math.min(count(), rows));
  }

  /**
   * Splits {@code rows} into {@code shards} contiguous ranges as even as possible (the first ones
   * one larger); returns their {@code shards + 1} boundaries.
   */
  public static int[] bounds(int rows, int shards) {
    if (shards < 1 || shards > rows) {
      throw new IllegalArgumentException("cannot split " + rows + " rows into " + shards + " shards");
    }
    int[] b = new int[shards + 1];
    for (int s = 0; s < shards; s++) {
      b[s + 1] = b[s] + rows / shards + (s < rows % shards ? 1 : 0);
    }
    return b;
  }

  /**
   * Runs {@code task.accept(s)} for every shard {@code s} in {@code 0..shards-1} at once, shard 0 on
   * the calling thread, and returns when all are done. The first failure is rethrown (unchecked
   * exceptions and errors as they are).
   */
  public static void run(int shards, IntConsumer task) {
    if (shards == 1) {
      task.accept(0);
      return;
    }
    List<Future<?>> others = new ArrayList<>(shards - 1);
    // OpenMP's thread count is per calling thread: give workers the caller's (native ops such as
    // oneDNN's convolutions would otherwise start a team per core on every shard).
    int openMp = Threads.openMp();
    for (int s = 1; s < shards; s++) {
      int shard = s;
      others.add(WORKERS.submit(() -> {
        Threads.setOpenMpForThisThread(openMp);
        task.accept(shard);
      }));
    }
    Throwable failure = null;
    try {
      task.accept(0);
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
    if (failure instanceof RuntimeException r) {
      throw r;
    }
    if (failure instanceof Error e) {
      throw e;
    }
    if (failure != null) {
      throw new IllegalStateException("a shard failed", failure);
    }
  }

  /**
   * Runs {@code part} for every part {@code 0..parts-1}, on up to {@link #count} threads that
   * each take the next part not yet taken: a thread the OS holds back delays the others only by
   * the part it is working on, not by a fixed share of the batch.
   */
  public static void runParts(int parts, IntConsumer part) {
    int threads = Math.min(parts, Shards.count());
    if (threads <= 1) {
      for (int k = 0; k < parts; k++) {
        part.accept(k);
      }
      return;
    }
    AtomicInteger next = new AtomicInteger();
    run(threads, t -> {
      for (int k = next.getAndIncrement(); k < parts; k = next.getAndIncrement()) {
        part.accept(k);
      }
    });
  }

  /**
   * Runs {@code item.accept(i)} for every item {@code i} of {@code sizes}, spread over
   * {@link #count()} threads so that each gets about the same total size (the items must be
   * independent of each other).
   */
  public static void forEachBalanced(long[] sizes, IntConsumer item) {
    forEachBalanced(sizes, count(), item);
  }

  /** As {@link #forEachBalanced(long[], IntConsumer)} on at most {@code shards} threads. */
  public static void forEachBalanced(long[] sizes, int shards, IntConsumer item) {
    int workers = Math.max(1, Math.min(shards, sizes.length));
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
        if (load[w] < load[least]) least = w;
      }
      assigned.get(least).add(i);
      load[least] += sizes[i];
    }
    run(workers, w -> assigned.get(w).forEach(item::accept));
  }
}
