package org.genai4j.common.train;

import java.nio.file.Path;

/**
 * A process that holds a run folder until it is killed: {@link RunFolderTest} starts it to check
 * the lock across processes and the take-over after {@code kill -9}.
 */
public final class RunFolderHolder {
  private RunFolderHolder() {}

  public static void main(String[] args) throws InterruptedException {
    RunFolder run = RunFolder.open(Path.of(args[0]), RunFolder.Start.RESUME);
    System.out.println("holding " + run.dir());
    System.out.flush();
    Thread.sleep(60_000);
  }
}
