package org.genai4j.llm.finetune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.genai4j.common.ops.Params;
import org.genai4j.common.testing.FileFuzzer;
import org.genai4j.llm.LlmModel;
import org.genai4j.llm.model.Gpt;
import org.genai4j.llm.model.GptConfig;
import org.genai4j.llm.tokenizer.CharTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A LoRA classifier run's own files, mutated: {@code lora.json} (settings and the base's
 * reference) and {@code adapter_model.safetensors} either load or fail with one named line.
 */
class LoraRunFuzzTest {
  @TempDir Path tmp;

  @Test
  void mutatedLoraFilesLoadOrAreNamed() throws Exception {
    CharTokenizer tok = CharTokenizer.fromCorpus("abcdefghij xyz");
    Path base = tmp.resolve("base");
    new LlmModel(new Gpt(GptConfig.of(tok.vocabSize(), 1, 2, 16, 16), Params.init(5)), tok, 0).save(base);
    Path run = tmp.resolve("run");
    ClassificationTraining.train(LlmModel.open(base), BaseReference.of(base), new LabeledTexts.Splits(
        ClassificationTest.task(1, 40), ClassificationTest.task(2, 10), ClassificationTest.task(3, 10)),
        ClassifierOptions.defaults(run).withIters(2).withRun(1, 1, false, 0, 16)
            .withLora(new LoraConfig(4, 8, LoraConfig.parseTargets("attn,mlp"))));
    for (String name : new String[] {LoraRun.FILE, LoraRun.ADAPTERS}) {
      byte[] good = Files.readAllBytes(run.resolve(name));
      Path dir = tmp.resolve("fuzz-" + name);
      copyRun(run, dir);
      FileFuzzer.Report report = FileFuzzer.of(name, good).allowance(size -> (32L << 20) + 100 * size)
          .run(dir, 2_000, 7, f -> TextClassifier.load(f.getParent()).classify("abx"));
      System.out.println("LoRA run " + name + " fuzz: " + report.summary());
      assertEquals(0, report.failed(), String.join("\n", report.failures()));
      assertTrue(report.rejected() > 100, "the mutations reach the checks: " + report.summary());
    }
  }

  private static void copyRun(Path from, Path to) throws Exception {
    Files.createDirectories(to);
    try (var files = Files.list(from)) {
      for (Path f : files.toList()) {
        if (Files.isRegularFile(f)) {
          Files.copy(f, to.resolve(f.getFileName()));
        }
      }
    }
  }
}
