package org.genai4j.common.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.genai4j.common.util.AtomicFile;
import org.genai4j.common.util.FileTrees;

/**
 * A run folder ({@link RunDir}) held by one training process from {@link #open} to {@link
 * #close}. Opening it takes the folder's lock ({@code .lock}, holding the owner's pid and host;
 * a second run into the folder is refused naming that owner; a lock file whose process died is
 * not held and is taken over), removes what a killed process left (temporary files, a half-swapped
 * checkpoint) and checks the start against what the folder holds: a new run needs an empty folder
 * (or {@code --overwrite} of a run folder), {@code --resume} needs a checkpoint. {@link #begin}
 * then compares a resumed run's options with the stored ones and writes the run's files.
 */
public final class RunFolder implements AutoCloseable {

  /** The lock file; it stays in the folder, only the lock on it marks the owner. */
  public static final String LOCK = ".lock";
  /** Accepted option changes of a resumed run, one JSON object a line. */
  public static final String HISTORY = "history.jsonl";

  /**
   * How a run starts in its folder.
   *
   * @param resume continue the run from {@code checkpoints/last} (which must exist)
   * @param overwrite a new run replaces the run the folder holds (all its files)
   * @param allowChange a resumed run may change options that alter the run; each change goes to
   *     {@link #HISTORY}
   */
  public record Start(boolean resume, boolean overwrite, boolean allowChange) {
    /** A new run into an empty or new folder. */
    public static final Start NEW = new Start(false, false, false);
    /** Continue the folder's run with the same options. */
    public static final Start RESUME = new Start(true, false, false);

    public Start {
      if (resume && overwrite) {
        throw new IllegalArgumentException("--resume and --overwrite exclude each other: continue the run or replace"
            + " it");
      }
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final Start start;
  private final FileChannel channel;
  private final FileLock lock;
  private final long resumedStep;

  private RunFolder(Path dir, Start start, FileChannel channel, FileLock lock, long resumedStep) {
    this.dir = dir;
    this.start = start;
    this.channel = channel;
    this.lock = lock;
    this.resumedStep = resumedStep;
  }

  /**
   * Takes {@code dir} for one run; a one-line error when another process owns it, when a new run
   * would overwrite files, or when there is nothing to resume. Close it when the run ends.
   */
  public static RunFolder open(Path dir, Start start) {
    if (dir == null || dir.toString().isBlank()) {
      throw new IllegalArgumentException("--out must name a folder for the run, got an empty value");
    }
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("could not create the run folder " + dir + " (--out): " + e.getMessage(), e);
    }
    FileChannel channel = null;
    // A folder that is refused keeps no lock file this call created in it.
    boolean lockCreated = !Files.exists(dir.resolve(LOCK));
    try {
      channel = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.READ,
          StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null; // this process holds it already
      }
      if (lock == null) {
        String owner = Files.readString(dir.resolve(LOCK)).trim();
        throw new IllegalStateException("run folder " + dir + " is in use by another training (" + (owner.isEmpty()
            ? "owner unknown" : owner) + "); wait for it to end or choose another --out");
      }
      channel.truncate(0);
      channel.write(ByteBuffer.wrap(owner().getBytes(StandardCharsets.UTF_8)), 0);
      channel.force(false);
      RunFolder run;
      try {
        cleanLeftovers(dir);
        run = new RunFolder(dir, start, channel, lock, checkStart(dir, start));
      } catch (RuntimeException | IOException e) {
        if (lockCreated) {
          Files.deleteIfExists(dir.resolve(LOCK));
        } else {
          channel.truncate(0);
        }
        lock.release();
        throw e;
      }
      return run;
    } catch (IOException e) {
      closeQuietly(channel);
      throw new UncheckedIOException("could not open the run folder " + dir + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(channel);
      throw e;
    }
  }

  private static String owner() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "unknown host";
    }
    return "pid " + ProcessHandle.current().pid() + " on " + host + " since " + Instant.now() + " ("
        + ManagementFactory.getRuntimeMXBean().getName() + ")\n";
  }

  /** The step to continue from (0 for a new run). */
  private static long checkStart(Path dir, Start start) throws IOException {
    if (start.resume()) {
      Path last = dir.resolve(RunDir.LAST);
      if (!Checkpoint.exists(last)) {
        throw new IllegalArgumentException("--resume: " + dir + " holds no checkpoint (" + RunDir.LAST + "); start a"
            + " new run without --resume");
      }
      return Checkpoint.readStep(last);
    }
    List<Path> entries = entries(dir);
    if (entries.isEmpty()) {
      return 0;
    }
    boolean run = RunDir.holdsRun(dir);
    if (!start.overwrite()) {
      throw new IllegalArgumentException(run
          ? "output folder " + dir + " already holds a run; continue it with --resume or replace it with --overwrite"
          : "output folder " + dir + " is not empty and holds no genai4j run; choose an empty or new --out");
    }
    checkReplaceable(dir, run);
    for (Path p : entries) {
      FileTrees.delete(p);
    }
    return 0;
  }

  /** --overwrite deletes a folder's content only when it is a run folder and holds no place the user works in. */
  private static void checkReplaceable(Path dir, boolean run) throws IOException {
    if (!run) {
      throw new IllegalArgumentException("--overwrite: " + dir + " is not a genai4j run folder (no " + RunDir.CONFIG
          + " with " + RunDir.TRAIN + ", no checkpoint); refusing to delete its files, choose another --out");
    }
    Path real = dir.toRealPath();
    Path cwd = Path.of("").toRealPath();
    Path home = Path.of(System.getProperty("user.home")).toRealPath();
    if (cwd.startsWith(real) || home.startsWith(real) || real.getParent() == null) {
      throw new IllegalArgumentException("--overwrite: " + dir + " is (or holds) the current, home or root folder;"
          + " refusing to delete its files, choose a dedicated --out");
    }
  }

  private static List<Path> entries(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> !p.getFileName().toString().equals(LOCK)).toList();
    }
  }

  /**
   * Removes what a killed process left: {@link AtomicFile}'s {@code *.tmp} files, checkpoint
   * folders being written ({@code *.tmp-*}) and the previous checkpoint moved aside ({@code
   * *.old}), which takes its place again when the swap did not finish.
   */
  static void cleanLeftovers(Path dir) throws IOException {
    for (Path folder : List.of(dir, dir.resolve("checkpoints"))) {
      if (!Files.isDirectory(folder)) {
        continue;
      }
      for (Path p : listed(folder)) {
        String name = p.getFileName().toString();
        if (name.endsWith(".tmp") || name.contains(".tmp-")) {
          FileTrees.delete(p);
        } else if (name.endsWith(".old") && Files.isDirectory(p)) {
          Path current = folder.resolve(name.substring(0, name.length() - ".old".length()));
          if (Files.isRegularFile(current.resolve(Checkpoint.TRAINER))) {
            FileTrees.delete(p);
          } else {
            FileTrees.delete(current);
            Files.move(p, current);
          }
        }
      }
    }
  }

  private static List<Path> listed(Path folder) throws IOException {
    try (Stream<Path> s = Files.list(folder)) {
      return s.toList();
    }
  }

  public Path dir() {
    return dir;
  }

  /** True when this run continues the folder's run. */
  public boolean resuming() {
    return start.resume();
  }

  /** The step the resumed run continues from ({@code checkpoints/last}'s); 0 for a new run. */
  public long resumedStep() {
    return resumedStep;
  }

  /**
   * Starts the run in the folder: when resuming, compares each JSON file of {@code files} (name to
   * content, e.g. {@link RunDir#CONFIG}, {@link RunDir#TRAIN}) with the stored one, key by key; a
   * changed key not in {@code harmless} fails with a one-line error naming it as its CLI flag
   * ({@code flags}, key to flag; the key itself when absent) unless the start allows changes,
   * which are then recorded in {@link #HISTORY}. Then runs {@code restore} (loading the checkpoint,
   * so that one that does not fit leaves the folder unchanged), cuts a resumed run's {@link
   * RunDir#METRICS} back to the resumed step (its later steps are logged again) and writes each
   * file atomically.
   */
  public void begin(Map<String, String> files, Map<String, String> flags, Set<String> harmless, Runnable restore) {
    List<String[]> changes = new ArrayList<>();
    if (start.resume()) {
      for (var f : new java.util.TreeMap<>(files).entrySet()) { // config.json's changes first
        changes.addAll(changes(f.getKey(), f.getValue(), flags, harmless));
      }
      if (!changes.isEmpty() && !start.allowChange()) {
        List<String> said = changes.stream().map(c -> c[0] + " changed from " + c[1] + " to " + c[2]).toList();
        throw new IllegalArgumentException("--resume: " + String.join(", ", said) + "; pass --allow-change to"
            + " accept");
      }
    }
    restore.run();
    if (start.resume()) {
      if (!changes.isEmpty()) {
        recordHistory(changes);
      }
      cutMetrics();
    }
    files.forEach((name, content) -> RunDir.write(dir, name, content));
  }

  /** {flag, old, new} for each key of JSON file {@code name} whose value differs from the stored one. */
  private List<String[]> changes(String name, String content, Map<String, String> flags, Set<String> harmless) {
    Path stored = dir.resolve(name);
    if (!name.endsWith(".json") || !Files.isRegularFile(stored)) {
      return List.of();
    }
    JsonNode before;
    JsonNode after;
    try {
      before = JSON.readTree(stored.toFile());
      after = JSON.readTree(content);
    } catch (IOException e) {
      throw new IllegalArgumentException("--resume: " + stored + " is not valid JSON ("
          + e.getMessage().lines().findFirst().orElse("") + "); the run's options cannot be compared");
    }
    List<String[]> out = new ArrayList<>();
    if (!(before instanceof ObjectNode b) || !(after instanceof ObjectNode a)) {
      return out;
    }
    java.util.LinkedHashSet<String> keys = new java.util.LinkedHashSet<>();
    b.fieldNames().forEachRemaining(keys::add);
    a.fieldNames().forEachRemaining(keys::add);
    for (String k : keys) {
      JsonNode x = b.get(k);
      JsonNode y = a.get(k);
      if (!harmless.contains(k) && !sameValue(x, y)) {
        out.add(new String[] {flags.getOrDefault(k, k), text(x), text(y)});
      }
    }
    return out;
  }

  private static boolean sameValue(JsonNode x, JsonNode y) {
    if (x == null || y == null) {
      return x == y;
    }
    if (x.isNumber() && y.isNumber()) {
      return x.decimalValue().compareTo(y.decimalValue()) == 0;
    }
    return x.equals(y);
  }

  private static String text(JsonNode n) {
    return n == null ? "(absent)" : n.isTextual() ? n.asText() : n.toString();
  }

  private void recordHistory(List<String[]> changes) {
    StringBuilder lines = new StringBuilder();
    String now = Instant.now().toString();
    for (String[] c : changes) {
      ObjectNode o = JSON.createObjectNode();
      o.put("step", resumedStep);
      o.put("option", c[0]);
      o.put("old", c[1]);
      o.put("new", c[2]);
      o.put("time", now);
      lines.append(o).append('\n');
    }
    Path history = dir.resolve(HISTORY);
    AtomicFile.write(history, "run history", f -> {
      if (Files.isRegularFile(history)) {
        Files.copy(history, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      Files.writeString(f, lines, StandardOpenOption.APPEND);
    });
  }

  /** Keeps the metrics lines up to the resumed step; drops later ones and a torn last line. */
  private void cutMetrics() {
    Path metrics = dir.resolve(RunDir.METRICS);
    if (!Files.isRegularFile(metrics)) {
      return;
    }
    List<String> kept = new ArrayList<>();
    try (Stream<String> lines = Files.lines(metrics, StandardCharsets.UTF_8)) {
      for (Iterator<String> it = lines.iterator(); it.hasNext(); ) {
        String line = it.next();
        JsonNode step = stepOf(line);
        if (step != null && step.asLong() <= resumedStep) {
          kept.add(line);
        }
      }
    } catch (IOException | UncheckedIOException e) {
      throw new IllegalArgumentException("--resume: could not read " + metrics + ": " + e.getMessage());
    }
    AtomicFile.write(metrics, "metrics log", f -> Files.write(f, kept, StandardCharsets.UTF_8));
  }

  private static JsonNode stepOf(String line) {
    try {
      JsonNode n = JSON.readTree(line);
      return n != null && n.path("step").canConvertToLong() ? n.get("step") : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** Releases the folder; the lock file stays, empty, for the next run to take. */
  @Override
  public void close() {
    try {
      channel.truncate(0);
    } catch (IOException ignored) {
      // The lock, not the file's content, marks the owner.
    }
    try {
      lock.release();
    } catch (IOException ignored) {
      // Closing the channel below releases it too.
    }
    closeQuietly(channel);
  }

  private static void closeQuietly(FileChannel c) {
    if (c != null) {
      try {
        c.close();
      } catch (IOException ignored) {
        // Nothing was written that closing could lose.
      }
    }
  }
}
