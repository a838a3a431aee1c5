package org.genai4j.gan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.genai4j.common.testing.FileFuzzer;
import org.genai4j.common.testing.RunFolderFuzzer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checkpoint files of a saved DCGAN run, mutated 2,000 ways each, through {@link Dcgan#load}: a
 * model or a one-line error. (The DCGAN's configuration is read from the checkpoint's trainer.json.)
 */
class CheckpointFuzzTest {

  @TempDir Path dir;

  @Test
  void mutatedCheckpointFilesLoadOrGetANamedError() throws Exception {
    Path run = dir.resolve("run");
    GanTraining.train(DcganTest.images(DcganTest.tiny(28, 1), 8, 6), null, DcganTest.tiny(28, 1),
        GanTrainOptions.of(1, run).withBatchSize(8).withProgressBar(false));
    for (String file : RunFolderFuzzer.FILES.subList(1, 4)) {
      FileFuzzer.Report report = RunFolderFuzzer.fuzz(run, file, dir.resolve("fuzz-" + file.replace('/', '-')),
          2_000, 7, Dcgan::load);
      System.out.println("gan " + file + " fuzz: " + report.summary());
      assertEquals(0, report.failed(), file + "\n" + String.join("\n", report.failures()));
    }
  }
}
