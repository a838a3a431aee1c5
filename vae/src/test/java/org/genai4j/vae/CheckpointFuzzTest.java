package org.genai4j.vae;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.genai4j.common.testing.FileFuzzer;
import org.genai4j.common.testing.RunFolderFuzzer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checkpoint files of a saved VAE run, mutated 2,000 ways each, through {@link Vae#load}: a
 * model or a one-line error. (The VAE's configuration is read from the checkpoint's trainer.json.)
 */
class CheckpointFuzzTest {

  @TempDir Path dir;

  @Test
  void mutatedCheckpointFilesLoadOrGetANamedError() throws Exception {
    Path run = dir.resolve("run");
    VaeTraining.train(TrainingTest.patterns(8, 1), null, VaeConfig.mlp(1, 4, 4, List.of(8), 2),
        new VaeTrainOptions(1, 4, 1e-3, 1, 0, run, false, false));
    for (String file : RunFolderFuzzer.FILES.subList(1, 4)) {
      FileFuzzer.Report report = RunFolderFuzzer.fuzz(run, file, dir.resolve("fuzz-" + file.replace('/', '-')),
          2_000, 7, Vae::load);
      System.out.println("vae " + file + " fuzz: " + report.summary());
      assertEquals(0, report.failed(), file + "\n" + String.join("\n", report.failures()));
    }
  }
}
