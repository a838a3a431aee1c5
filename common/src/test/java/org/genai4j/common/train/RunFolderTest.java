package org.genai4j.common.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run folder's rules, on a folder with a tiny checkpoint: one owner, new/resume/overwrite, changes, leftovers. */
class RunFolderTest {

  @TempDir Path tmp;

  private static final Map<String, String> FLAGS = Map.of("lr", "--lr", "batchSize", "--batch");
  private static final Set<String> HARMLESS = Set.of("threads");
  private static final Runnable NOTHING = () -> {};
  private static final RunFolder.Start OVERWRITE = new RunFolder.Start(false, true, false);
  private static final RunFolder.Start ALLOW_CHANGE = new RunFolder.Start(true, false, true);

  /** A run at step 3 with a checkpoint, options and a metrics log of steps 1..5 (5 logged after the checkpoint). */
  private Path run(String name) throws IOException {
    Path dir = tmp.resolve(name);
    try (RunFolder run = RunFolder.open(dir, RunFolder.Start.NEW)) {
      run.begin(Map.of(RunDir.CONFIG, "{\"width\":3}", RunDir.TRAIN, train(0.001, 4, 1)), FLAGS, HARMLESS, NOTHING);
    }
    Checkpoint.of(new TinyMlp(1), null, 3, 1, Map.of()).write(dir.resolve(RunDir.LAST));
    Files.writeString(dir.resolve(RunDir.METRICS), "{\"step\":1}\n{\"step\":2}\n{\"step\":3}\n{\"step\":4}\n{\"st");
    return dir;
  }

  private static String train(double lr, int batch, int threads) {
    return "{\"lr\":" + lr + ",\"batchSize\":" + batch + ",\"threads\":" + threads + "}";
  }

  @Test
  void aSecondRunIntoAnOwnedFolderIsRefusedNamingTheOwnerAndTakesItOverOnceReleased() throws IOException {
    Path dir = run("a");
    try (RunFolder first = RunFolder.open(dir, RunFolder.Start.RESUME)) {
      var e = assertThrows(IllegalStateException.class, () -> RunFolder.open(dir, RunFolder.Start.RESUME));
      assertTrue(e.getMessage().contains("in use by another training (pid " + ProcessHandle.current().pid()),
          e.getMessage());
      assertEquals(1, e.getMessage().lines().count());
    }
    // A lock file left behind (as by a killed process) is not held: the next run takes the folder.
    assertTrue(Files.exists(dir.resolve(RunFolder.LOCK)));
    try (RunFolder again = RunFolder.open(dir, RunFolder.Start.RESUME)) {
      assertEquals(3, again.resumedStep());
    }
  }

  @Test
  void anotherProcessHoldingTheFolderIsNamedAndItsLockGoesWithItWhenKilled() throws Exception {
    Path dir = run("a");
    Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), RunFolderHolder.class.getName(), dir.toString())
        .redirectErrorStream(true).start();
    try {
      String line = new java.io.BufferedReader(new java.io.InputStreamReader(holder.getInputStream())).readLine();
      assertTrue(line != null && line.startsWith("holding "), "the holder started: " + line);
      var e = assertThrows(IllegalStateException.class, () -> RunFolder.open(dir, RunFolder.Start.RESUME));
      assertTrue(e.getMessage().contains("is in use by another training (pid " + holder.pid() + " on "),
          e.getMessage());
    } finally {
      holder.destroyForcibly(); // as kill -9: the lock file stays, the lock goes with the process
      holder.waitFor();
    }
    try (RunFolder taken = RunFolder.open(dir, RunFolder.Start.RESUME)) {
      assertEquals(3, taken.resumedStep(), "the run resumes after its owner died");
    }
  }

  @Test
  void aNewRunIntoARunFolderIsRefusedAndTheRunStaysWhole() throws IOException {
    Path dir = run("a");
    String config = Files.readString(dir.resolve(RunDir.CONFIG));
    var e = assertThrows(IllegalArgumentException.class, () -> RunFolder.open(dir, RunFolder.Start.NEW));
    assertEquals("output folder " + dir + " already holds a run; continue it with --resume or replace it with"
        + " --overwrite", e.getMessage());
    assertEquals(config, Files.readString(dir.resolve(RunDir.CONFIG)));
    assertEquals(3, Checkpoint.read(dir.resolve(RunDir.LAST)).step(), "the old run still loads");
    try (RunFolder resumed = RunFolder.open(dir, RunFolder.Start.RESUME)) {
      assertEquals(3, resumed.resumedStep(), "and resumes");
    }
  }

  @Test
  void overwriteReplacesARunFolderButNeverAFolderOfOtherFiles() throws IOException {
    Path dir = run("a");
    try (RunFolder fresh = RunFolder.open(dir, OVERWRITE)) {
      assertFalse(Files.exists(dir.resolve(RunDir.LAST)));
      assertFalse(Files.exists(dir.resolve(RunDir.METRICS)));
      assertFalse(fresh.resuming());
    }
    Path notes = tmp.resolve("notes");
    Files.createDirectories(notes);
    Files.writeString(notes.resolve("config.json"), "{}"); // a config.json alone does not make a run folder
    Files.writeString(notes.resolve("diary.txt"), "mine");
    var e = assertThrows(IllegalArgumentException.class, () -> RunFolder.open(notes, OVERWRITE));
    assertTrue(e.getMessage().startsWith("--overwrite: " + notes + " is not a genai4j run folder"), e.getMessage());
    var n = assertThrows(IllegalArgumentException.class, () -> RunFolder.open(notes, RunFolder.Start.NEW));
    assertTrue(n.getMessage().contains("is not empty and holds no genai4j run; choose an empty or new --out"),
        n.getMessage());
    assertEquals("mine", Files.readString(notes.resolve("diary.txt")));
  }

  @Test
  void overwriteRefusesTheCurrentFolder() throws IOException {
    Path cwd = Path.of("").toAbsolutePath();
    boolean hadLock = Files.exists(cwd.resolve(RunFolder.LOCK));
    // The current folder is no run folder; were it one, the home/current-folder guard refuses it too.
    var e = assertThrows(IllegalArgumentException.class, () -> RunFolder.open(cwd, OVERWRITE));
    assertTrue(e.getMessage().startsWith("--overwrite: "), e.getMessage());
    assertTrue(Files.exists(cwd.resolve("pom.xml")), "nothing was deleted");
    assertTrue(hadLock || !Files.exists(cwd.resolve(RunFolder.LOCK)), "nor a lock file left in the refused folder");
  }

  @Test
  void blankOutAndResumeWithoutACheckpointAreOneLineErrors() {
    var blank = assertThrows(IllegalArgumentException.class, () -> RunFolder.open(Path.of(""), RunFolder.Start.NEW));
    assertTrue(blank.getMessage().startsWith("--out must name a folder"), blank.getMessage());
    Path empty = tmp.resolve("empty");
    var e = assertThrows(IllegalArgumentException.class, () -> RunFolder.open(empty, RunFolder.Start.RESUME));
    assertTrue(e.getMessage().startsWith("--resume: " + empty + " holds no checkpoint (checkpoints/last)"),
        e.getMessage());
    var both = assertThrows(IllegalArgumentException.class, () -> new RunFolder.Start(true, true, false));
    assertTrue(both.getMessage().contains("--resume and --overwrite"), both.getMessage());
  }

  @Test
  void resumeRefusesChangedOptionsNamingTheirFlagsButNotHarmlessOnes() throws IOException {
    Path dir = run("a");
    String stored = Files.readString(dir.resolve(RunDir.TRAIN));
    try (RunFolder run = RunFolder.open(dir, RunFolder.Start.RESUME)) {
      boolean[] restored = {false};
      var e = assertThrows(IllegalArgumentException.class, () -> run.begin(
          Map.of(RunDir.TRAIN, train(0.002, 8, 2)), FLAGS, HARMLESS, () -> restored[0] = true));
      assertEquals("--resume: --lr changed from 0.001 to 0.002, --batch changed from 4 to 8; pass --allow-change to"
          + " accept", e.getMessage());
      assertFalse(restored[0], "nothing restored, nothing written");
      assertEquals(stored, Files.readString(dir.resolve(RunDir.TRAIN)));
      // Another thread count alone is no change of the run; 1e-3 is 0.001.
      run.begin(Map.of(RunDir.TRAIN, "{\"lr\":1e-3,\"batchSize\":4,\"threads\":2}"), FLAGS, HARMLESS, NOTHING);
    }
    assertFalse(Files.exists(dir.resolve(RunFolder.HISTORY)));
  }

  @Test
  void allowChangeRecordsEachChangeInTheHistory() throws IOException {
    Path dir = run("a");
    try (RunFolder run = RunFolder.open(dir, ALLOW_CHANGE)) {
      run.begin(Map.of(RunDir.TRAIN, train(0.002, 4, 1)), FLAGS, HARMLESS, NOTHING);
    }
    List<String> history = Files.readAllLines(dir.resolve(RunFolder.HISTORY));
    assertEquals(1, history.size());
    assertTrue(history.get(0).matches("\\{\"step\":3,\"option\":\"--lr\",\"old\":\"0.001\",\"new\":\"0.002\","
        + "\"time\":\"[0-9T:.Z-]+\"}"), history.get(0));
    assertTrue(Files.readString(dir.resolve(RunDir.TRAIN)).contains("0.002"));
  }

  @Test
  void resumeCutsTheMetricsBackToTheCheckpointStep() throws IOException {
    Path dir = run("a");
    try (RunFolder run = RunFolder.open(dir, RunFolder.Start.RESUME)) {
      run.begin(Map.of(), FLAGS, HARMLESS, NOTHING);
    }
    assertEquals(List.of("{\"step\":1}", "{\"step\":2}", "{\"step\":3}"),
        Files.readAllLines(dir.resolve(RunDir.METRICS)), "step 4 and the torn line go: the resumed run logs them");
  }

  @Test
  void leftoversOfAKilledRunAreCleanedAndAHalfSwappedCheckpointRestored() throws IOException {
    Path dir = run("a");
    Files.writeString(dir.resolve("config.json12345.tmp"), "half");
    Path checkpoints = dir.resolve("checkpoints");
    Files.createDirectories(checkpoints.resolve("last.tmp-999"));
    Files.writeString(checkpoints.resolve("last.tmp-999/model.safetensors"), "half");
    // Killed between moving last aside and moving the new one in: only last.old is whole.
    Files.move(dir.resolve(RunDir.LAST), checkpoints.resolve("last.old"));
    try (RunFolder run = RunFolder.open(dir, RunFolder.Start.RESUME)) {
      assertEquals(3, run.resumedStep());
    }
    try (var files = Files.list(checkpoints)) {
      assertEquals(List.of("last"), files.map(p -> p.getFileName().toString()).toList());
    }
    assertFalse(Files.exists(dir.resolve("config.json12345.tmp")));
    assertEquals(3, Checkpoint.read(dir.resolve(RunDir.LAST)).step());
  }

  @Test
  void loadingFallsBackFromACorruptBestToTheLastAndNamesBothWhenNeitherLoads() throws IOException {
    Path dir = run("a");
    Checkpoint.of(new TinyMlp(1), null, 2, 1, Map.of()).write(dir.resolve(RunDir.BEST));
    Files.writeString(dir.resolve(RunDir.BEST).resolve(Checkpoint.TRAINER), "{not json");
    assertEquals(3, RunDir.loadModel(dir, Checkpoint::read).step(), "best is corrupt: last is loaded");
    Files.writeString(dir.resolve(RunDir.LAST).resolve(Checkpoint.MODEL), "garbage");
    var e = assertThrows(IllegalArgumentException.class, () -> RunDir.loadModel(dir, Checkpoint::read));
    assertTrue(e.getMessage().startsWith("no intact checkpoint in " + dir + ": checkpoints/best: ")
        && e.getMessage().contains("; checkpoints/last: "), e.getMessage());
    assertEquals(1, e.getMessage().lines().count(), e.getMessage());
  }
}
