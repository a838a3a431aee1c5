package org.genai4j.common.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * Fuzzes the files of a saved run through a family's load path: for each file of {@link #FILES},
 * {@link FileFuzzer}'s mutations are written into a copy of the run folder, which {@code load}
 * then reads as a user's command would. The allowance is twice the run folder's size plus 8 MiB:
 * loading reads every file of the run.
 */
public final class RunFolderFuzzer {
  private RunFolderFuzzer() {}

  /** The files of a run a load reads, relative to the run folder. */
  public static final List<String> FILES = List.of("config.json", "checkpoints/last/model.safetensors",
      "checkpoints/last/optimizer.safetensors", "checkpoints/last/trainer.json");

  /** Fuzzes {@code file} (relative to {@code run}) with {@code cases} mutations; {@code scratch} holds the copies. */
  public static FileFuzzer.Report fuzz(Path run, String file, Path scratch, int cases, long seed,
      FileFuzzer.Reader load) throws IOException, InterruptedException {
    Path copy = scratch.resolve("run");
    copyTree(run, copy);
    Path target = copy.resolve(file);
    Path cases0 = Files.createDirectories(scratch.resolve("cases"));
    long runBytes = size(run);
    return FileFuzzer.of(target.getFileName().toString(), Files.readAllBytes(run.resolve(file)))
        .allowance(size -> 2 * (runBytes + size) + (8L << 20))
        .run(cases0, cases, seed, mutated -> {
          Files.copy(mutated, target, StandardCopyOption.REPLACE_EXISTING);
          load.read(copy);
        });
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path q = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(q);
        } else {
          Files.copy(p, q, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  private static long size(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }
}
