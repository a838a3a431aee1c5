package org.genai4j.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.genai4j.common.testing.FileFuzzer;
import org.genai4j.common.testing.RunFolderFuzzer;
import org.genai4j.common.train.RunDir;
import org.genai4j.llm.model.GptConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every file of a saved GPT run, mutated 2,000 ways, through {@link LlmModel#load}: a model or a one-line error. */
class CheckpointFuzzTest {

  @TempDir Path dir;

  @Test
  void mutatedRunFilesLoadOrGetANamedError() throws Exception {
    Path run = dir.resolve("run");
    GptTraining.train(GptTrainingTest.TEXT, null, GptTrainingTest.tinyModel(), GptTrainingTest.tiny(1, run));
    for (String file : RunFolderFuzzer.FILES) {
      FileFuzzer.Report report = RunFolderFuzzer.fuzz(run, file, dir.resolve("fuzz-" + file.replace('/', '-')),
          2_000, 7, LlmModel::load);
      System.out.println("llm " + file + " fuzz: " + report.summary());
      assertEquals(0, report.failed(), file + "\n" + String.join("\n", report.failures()));
    }
  }

  @Test
  void aConfigDeclaringAHugeModelIsRefusedBeforeAllocating() throws Exception {
    Path run = dir.resolve("run");
    GptTraining.train(GptTrainingTest.TEXT, null, GptTrainingTest.tinyModel(), GptTrainingTest.tiny(1, run));
    String config = Files.readString(run.resolve(RunDir.CONFIG));
    Files.writeString(run.resolve(RunDir.CONFIG), config.replaceAll("\"(n_?[eE]mbd|nembd)\":16", "\"$1\":1000000"));
    var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> LlmModel.load(run));
    assertTrue(e.getMessage().contains("declares far more values than its checkpoint"), e.getMessage());
  }

  @Test
  void aModelTooLargeForMemoryIsRefusedWithTheEstimateAndTheLimit() {
    var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new org.genai4j.llm.model.Gpt(GptConfig.reference().withShape(1, 2, 1_000_000, 16).withVocabSize(50_000),
            org.genai4j.common.ops.Params.forLoading()));
    assertTrue(e.getMessage().startsWith("parameter 'transformer.wte.weight' [50000, 1000000] brings the model to")
        && e.getMessage().contains("the memory limit is"), e.getMessage());
  }
}
