package org.genai4j.samples.cli;

import org.genai4j.common.util.Threads;
import picocli.CommandLine.Option;

/** Options every command that computes takes: the ND4J thread count and the seed. */
public final class RunOptions {

  @Option(names = "--threads", paramLabel = "N",
      description = "ND4J (OpenMP/BLAS) threads; default: OMP_NUM_THREADS if set, else 1 on machines with"
          + " at most 2 cores (measured faster there for every model), else ND4J's choice.")
  Integer threads;

  @Option(names = "--blas-threads", paramLabel = "N",
      description = "OpenBLAS (matrix product) threads, after --threads; default: as --threads.")
  Integer blasThreads;

  @Option(names = "--shards", paramLabel = "N",
      description = "Split each training batch over N threads, one model copy each (data parallelism);"
          + " default: the core count when ND4J and BLAS use 1 thread each, else 1.")
  Integer shards;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Random seed.")
  public long seed;

  /**
   * The threads a training step splits its batch over (for {@code TrainerConfig.withThreads}); 0
   * when {@code --shards} is not given, for the trainer's default.
   */
  public int shards() {
    if (shards != null && shards < 1) {
      throw new IllegalArgumentException("--shards must be >= 1, got " + shards);
    }
    return shards == null ? 0 : shards;
  }

  /** Applies the thread setting; call first in every command. */
  public void apply() {
    if (threads != null) {
      if (threads < 1) {
        throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
      }
      Threads.set(threads);
    } else if (System.getenv("OMP_NUM_THREADS") == null && Runtime.getRuntime().availableProcessors() <= 2) {
      // On 2 cores a second OpenMP thread made GPT, VAE and DCGAN steps slower (1.9x, 2.1x, 1.3x);
      // training uses the second core by splitting the batch instead (--shards).
      Threads.set(1);
    }
    if (blasThreads != null) {
      if (blasThreads < 1) {
        throw new IllegalArgumentException("--blas-threads must be >= 1, got " + blasThreads);
      }
      Threads.setBlas(blasThreads);
    }
    shards();
  }
}
