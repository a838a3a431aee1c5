package org.genai4j.samples.cli;

import org.genai4j.common.train.RunFolder;
import picocli.CommandLine.Option;

/** How a training command starts in its {@code --out} folder: new, resumed or replacing a run. */
public final class RunStartOptions {

  @Option(names = "--resume", description = "Continue the run in --out from its last checkpoint (an error when it"
      + " has none).")
  boolean resume;

  @Option(names = "--overwrite", description = "Replace the run in --out (all its files) with a new one; without it"
      + " a new run needs an empty or new --out.")
  boolean overwrite;

  @Option(names = "--allow-change", description = "With --resume: accept options that change the run (e.g. --lr,"
      + " --batch, --iters); each change is recorded in the run's history.jsonl.")
  boolean allowChange;

  /** The start these flags ask for; a one-line error for --resume with --overwrite. */
  public RunFolder.Start start() {
    if (allowChange && !resume) {
      throw new IllegalArgumentException("--allow-change goes with --resume (it accepts changed options of a resumed"
          + " run)");
    }
    return new RunFolder.Start(resume, overwrite, allowChange);
  }
}
