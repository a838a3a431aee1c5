package org.genai4j.common.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import java.util.zip.GZIPOutputStream;
import org.bytedeco.javacpp.Pointer;

/**
 * Feeds seeded random mutations of a valid file to a reader and checks that every one ends in
 * either a successful read or a one-line named error: no other exception (a stack trace for a
 * user), no case running longer than {@link #TIME_LIMIT_SECONDS}, and no allocation the file's size
 * does not justify.
 *
 * <p>Mutations: truncation, bit flips, a 1-, 2-, 4- or 8-byte field (aligned or not, mostly in the
 * first 256 bytes, where headers live) set to an extreme value (0, -1, max, min, a large power of
 * two), inserted and deleted byte runs. They apply to the payload; {@link #gzipped} writes the
 * mutated payload compressed, so that the reader's own checks are reached rather than only the
 * decompressor's.
 *
 * <p>Allocation guard (test-only): the heap bytes the reading thread allocated, from the JVM's
 * per-thread counter (an upper bound on what it held at once), plus the native bytes JavaCPP
 * counts as newly held after the read. A case fails when they exceed {@code allowance(file size)}.
 */
public final class FileFuzzer {

  /** A case that takes longer than this counts as a hang. */
  public static final int TIME_LIMIT_SECONDS = 5;

  /** Reads one file the way the product does; returns normally or throws a named error. */
  @FunctionalInterface
  public interface Reader {
    void read(Path file) throws Exception;
  }

  /** What the run found. {@code failures} lists at most the first 10 bad cases, one line each. */
  public record Report(int cases, int accepted, int rejected, int failed, long maxAllocatedBytes,
      List<String> failures) {
    /** One line for the test's output and the note. */
    public String summary() {
      return String.format(Locale.ROOT, "%d cases: %d read, %d rejected with a named error, %d failures;"
          + " largest allocation %,d bytes", cases, accepted, rejected, failed, maxAllocatedBytes);
    }
  }

  private final String fileName;
  private final byte[] payload;
  private UnaryOperator<byte[]> encoding = UnaryOperator.identity();
  private java.util.function.LongUnaryOperator allowance = size -> 2 * size + (8L << 20);

  private FileFuzzer(String fileName, byte[] payload) {
    this.fileName = fileName;
    this.payload = payload.clone();
  }

  /** Fuzzes {@code payload}, written to a file called {@code fileName} for each case. */
  public static FileFuzzer of(String fileName, byte[] payload) {
    return new FileFuzzer(fileName, payload);
  }

  /** Mutates the uncompressed payload and writes it gzip-compressed. */
  public FileFuzzer gzipped() {
    encoding = FileFuzzer::gzip;
    return this;
  }

  /**
   * The bytes a case may allocate, given the size of the (uncompressed) payload it read; default
   * twice that size plus 8 MiB for the JVM's and the parser's fixed costs.
   */
  public FileFuzzer allowance(java.util.function.LongUnaryOperator bytesForPayloadSize) {
    allowance = bytesForPayloadSize;
    return this;
  }

  /**
   * Runs {@code cases} mutations from {@code seed} through {@code reader} in {@code dir}. An
   * exception counts as a named error when it is an {@link IllegalArgumentException}, an
   * {@link IllegalStateException}, an {@link IOException} or {@link UncheckedIOException}, or has a
   * class name ending in {@code DatasetException}, and its message is one non-blank line.
   */
  public Report run(Path dir, int cases, long seed, Reader reader) throws IOException, InterruptedException {
    Random random = new Random(seed);
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "fuzz-reader");
      t.setDaemon(true);
      return t;
    });
    int accepted = 0;
    int rejected = 0;
    int failed = 0;
    long maxAllocated = 0;
    List<String> failures = new ArrayList<>();
    try {
      for (int c = 0; c < cases; c++) {
        String kind = pickMutation(random);
        byte[] mutated = mutate(kind, payload, random);
        Path file = dir.resolve(fileName);
        Files.write(file, encoding.apply(mutated));
        Future<long[]> result = worker.submit(() -> {
          long tid = Thread.currentThread().getId();
          long heapBefore = threads.getThreadAllocatedBytes(tid);
          long nativeBefore = Pointer.totalBytes();
          reader.read(file);
          return new long[] {threads.getThreadAllocatedBytes(tid) - heapBefore,
              Math.max(0, Pointer.totalBytes() - nativeBefore)};
        });
        String failure = null;
        long allowed = allowance.applyAsLong(Math.max(mutated.length, Files.size(file)));
        try {
          long[] used = result.get(TIME_LIMIT_SECONDS, TimeUnit.SECONDS);
          long bytes = used[0] + used[1];
          maxAllocated = Math.max(maxAllocated, bytes);
          if (bytes > allowed) {
            failure = String.format(Locale.ROOT, "read, but allocated %,d bytes (allowed %,d)", bytes, allowed);
          } else {
            accepted++;
          }
        } catch (TimeoutException e) {
          result.cancel(true);
          failure = "no answer within " + TIME_LIMIT_SECONDS + " s";
          worker.shutdownNow();
          worker = Executors.newSingleThreadExecutor();
        } catch (java.util.concurrent.ExecutionException e) {
          Throwable error = e.getCause();
          if (isNamedError(error)) {
            rejected++;
          } else {
            failure = error.getClass().getName() + ": " + firstLine(error.getMessage());
          }
        }
        if (failure != null) {
          failed++;
          if (failures.size() < 10) {
            failures.add("case " + c + " (" + kind + "): " + failure);
          }
        }
      }
    } finally {
      worker.shutdownNow();
    }
    return new Report(cases, accepted, rejected, failed, maxAllocated, failures);
  }

  /** True for the errors the CLI prints as one line (see FriendlyErrors in samples). */
  public static boolean isNamedError(Throwable error) {
    boolean namedType = error instanceof IllegalArgumentException || error instanceof IllegalStateException
        || error instanceof IOException || error instanceof UncheckedIOException
        || error.getClass().getSimpleName().endsWith("DatasetException");
    String message = error.getMessage();
    return namedType && message != null && !message.isBlank() && message.indexOf('\n') < 0;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "(no message)";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl) + " ...";
  }

  private static final String[] MUTATIONS = {"truncate", "flip", "flip", "extreme", "extreme", "extreme", "insert",
      "delete"};

  private static String pickMutation(Random random) {
    return MUTATIONS[random.nextInt(MUTATIONS.length)];
  }

  private static final long[] EXTREMES = {0, -1, Long.MAX_VALUE, Long.MIN_VALUE, Integer.MAX_VALUE,
      Integer.MIN_VALUE, 1L << 31, 1L << 32, 1L << 40, 65_535, 4_000_000_000L};

  static byte[] mutate(String kind, byte[] in, Random random) {
    if (in.length == 0) {
      return new byte[] {(byte) random.nextInt(256)};
    }
    byte[] out;
    switch (kind) {
      case "truncate" -> out = java.util.Arrays.copyOf(in, random.nextInt(in.length));
      case "flip" -> {
        out = in.clone();
        int flips = 1 + random.nextInt(8);
        for (int i = 0; i < flips; i++) {
          int at = headerBiasedOffset(out.length, random);
          out[at] ^= (byte) (1 << random.nextInt(8));
        }
      }
      case "extreme" -> {
        out = in.clone();
        int width = new int[] {1, 2, 4, 8}[random.nextInt(4)];
        int at = headerBiasedOffset(Math.max(1, out.length - width + 1), random);
        if (random.nextBoolean()) {
          at -= at % width;
        }
        long value = EXTREMES[random.nextInt(EXTREMES.length)];
        boolean bigEndian = random.nextBoolean();
        for (int i = 0; i < width && at + i < out.length; i++) {
          int shift = 8 * (bigEndian ? width - 1 - i : i);
          out[at + i] = (byte) (value >>> shift);
        }
      }
      case "insert" -> {
        int at = headerBiasedOffset(in.length + 1, random);
        byte[] run = new byte[1 + random.nextInt(16)];
        random.nextBytes(run);
        out = new byte[in.length + run.length];
        System.arraycopy(in, 0, out, 0, at);
        System.arraycopy(run, 0, out, at, run.length);
        System.arraycopy(in, at, out, at + run.length, in.length - at);
      }
      case "delete" -> {
        int at = headerBiasedOffset(in.length, random);
        int n = Math.min(in.length - at, 1 + random.nextInt(16));
        out = new byte[in.length - n];
        System.arraycopy(in, 0, out, 0, at);
        System.arraycopy(in, at + n, out, at, in.length - at - n);
      }
      default -> throw new IllegalArgumentException("unknown mutation " + kind);
    }
    return out;
  }

  /** Three cases in four fall in the first 256 bytes, where formats keep their sizes and offsets. */
  private static int headerBiasedOffset(int length, Random random) {
    if (length <= 1) {
      return 0;
    }
    return random.nextInt(4) < 3 ? random.nextInt(Math.min(length, 256)) : random.nextInt(length);
  }

  private static byte[] gzip(byte[] data) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
        gz.write(data);
      }
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
