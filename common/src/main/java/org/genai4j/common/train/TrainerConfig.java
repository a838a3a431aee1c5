package org.genai4j.common.train;

import java.nio.file.Path;

/**
 * The training loop's settings.
 *
 * @param steps optimizer steps to run in total (a resumed run continues up to this number)
 * @param accumulation micro-batches whose gradients are averaged into one optimizer step
 * @param clipNorm global gradient-norm bound per group; 0 disables clipping
 * @param seed seed of the run: batch order and ND4J's random numbers derive from it and the step
 * @param logEvery steps between records sent to the listeners
 * @param evalEvery steps between evaluations (0: only at the end)
 * @param checkpointEvery steps between checkpoints (0: only at the end)
 * @param outDir the run folder whose {@code checkpoints/last} and {@code checkpoints/best} hold the checkpoints; null for none
 * @param bestMetric the evaluation metric (lower is better) that selects {@code checkpoints/best}
 * @param threads threads a step splits its batch over ({@link org.genai4j.common.util.Parallel}); 0
 *     for the default ({@link org.genai4j.common.util.Parallel#defaultThreads()})
 */
public record TrainerConfig(
    long steps,
    int accumulation,
    double clipNorm,
    long seed,
    int logEvery,
    int evalEvery,
    int checkpointEvery,
    Path outDir,
    String bestMetric,
    int threads) {

  public TrainerConfig {
    if (steps < 0) throw new IllegalArgumentException("steps must be >= 0, got " + steps);
    if (accumulation < 1) throw new IllegalArgumentException("accumulation must be >= 1, got " + accumulation);
    if (clipNorm < 0) throw new IllegalArgumentException("clipNorm must be >= 0, got " + clipNorm);
    if (logEvery < 1) throw new IllegalArgumentException("logEvery must be >= 1, got " + logEvery);
    if (threads < 0) throw new IllegalArgumentException("threads must be >= 0 (0: default), got " + threads);
    if (evalEvery < 0 || checkpointEvery < 0) {
      throw new IllegalArgumentException("evalEvery and checkpointEvery must be >= 0");
    }
  }

  /** Defaults: no accumulation, no clipping, log every step, evaluate and checkpoint at the end. */
  public static TrainerConfig of(long steps, long seed) {
    return new TrainerConfig(steps, 1, 0, seed, 1, 0, 0, null, null, 0);
  }

  public TrainerConfig withAccumulation(int a) {
    return new TrainerConfig(steps, a, clipNorm, seed, logEvery, evalEvery, checkpointEvery, outDir, bestMetric, threads);
  }

  public TrainerConfig withClipNorm(double c) {
    return new TrainerConfig(steps, accumulation, c, seed, logEvery, evalEvery, checkpointEvery, outDir, bestMetric, threads);
  }

  public TrainerConfig withLogEvery(int n) {
    return new TrainerConfig(steps, accumulation, clipNorm, seed, n, evalEvery, checkpointEvery, outDir, bestMetric, threads);
  }

  public TrainerConfig withEvalEvery(int n) {
    return new TrainerConfig(steps, accumulation, clipNorm, seed, logEvery, n, checkpointEvery, outDir, bestMetric, threads);
  }

  public TrainerConfig withCheckpoints(Path dir, int every, String best) {
    return new TrainerConfig(steps, accumulation, clipNorm, seed, logEvery, evalEvery, every, dir, best, threads);
  }

  /** Threads a step splits its batch over; 0 for the default. */
  public TrainerConfig withThreads(int n) {
    return new TrainerConfig(steps, accumulation, clipNorm, seed, logEvery, evalEvery, checkpointEvery, outDir, bestMetric,
        n);
  }

  /** The thread count in effect: {@link #threads()}, or the default when that is 0. */
  public int effectiveThreads() {
    return threads > 0 ? threads : org.genai4j.common.util.Parallel.defaultThreads();
  }

  public TrainerConfig withSteps(long s) {
    return new TrainerConfig(s, accumulation, clipNorm, seed, logEvery, evalEvery, checkpointEvery, outDir, bestMetric, threads);
  }
}
