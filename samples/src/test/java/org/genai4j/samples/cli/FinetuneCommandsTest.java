package org.genai4j.samples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.genai4j.datasets.Datasets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code llm finetune classify} on the SMS spam data from a tiny pretrained GPT, then {@code llm classify}. */
class FinetuneCommandsTest {
  @TempDir Path tmp;

  @Test
  void aPretrainedGptBecomesASpamClassifierThatLabelsTexts() throws Exception {
    assumeTrue(Datasets.isAvailableOffline("sms-spam"), "skipped: the SMS spam data is not found locally");
    Path base = tmp.resolve("base");
    CliRun train = CliRun.of("llm", "train", "--data", "synthetic-text", "--layers", "1", "--heads", "2", "--embd",
        "16", "--block", "32", "--batch", "4", "--iters", "2", "--warmup", "1", "--eval-every", "2",
        "--eval-batches", "1", "--out", base.toString());
    assertEquals(0, train.exit(), train.err());
    Path cls = tmp.resolve("classifier");
    CliRun tune = CliRun.of("llm", "finetune", "classify", "--model", base.toString(), "--data", "sms-spam",
        "--iters", "4", "--batch", "4", "--eval-every", "2", "--train-layers", "LAST-1", "--out", cls.toString());
    assertEquals(0, tune.exit(), tune.err());
    assertTrue(tune.out().contains("balanced split 1045 / 149 / 300") && tune.out().contains("test_accuracy=")
        && tune.out().contains("test confusion matrix"), tune.out());
    CliRun one = CliRun.of("llm", "classify", "--model", cls.toString(), "Free entry! Text WIN to 80086");
    assertEquals(0, one.exit(), one.err());
    assertTrue(one.out().matches("(ham|spam)\t0\\.\\d{4}\\R"), one.out());
    Path texts = tmp.resolve("texts.txt");
    Files.writeString(texts, "See you at lunch\nURGENT! You have won a prize\n\n");
    CliRun many = CliRun.of("llm", "classify", "--model", cls.toString(), "--file", texts.toString());
    assertEquals(3, many.out().lines().count(), many.out());
    CliRun lora = CliRun.of("llm", "finetune", "classify", "--model", base.toString(), "--data", "sms-spam",
        "--iters", "2", "--batch", "4", "--eval-every", "0", "--lora-rank", "2", "--lora-targets", "attn", "--out",
        tmp.resolve("lora").toString());
    assertEquals(0, lora.exit(), lora.err());
    // c_attn: A 2x16 + B 48x2, c_proj: A 2x16 + B 16x2, the head 2x16 + 2.
    assertTrue(lora.out().contains("trainable parameters: 226 of "), lora.out());
    CliRun merge = CliRun.of("llm", "merge-lora", "--model", tmp.resolve("lora").toString(), "--out",
        tmp.resolve("merged").toString());
    assertEquals(0, merge.exit(), merge.err());
    String text = "Call now to claim";
    assertEquals(CliRun.of("llm", "classify", "--model", tmp.resolve("lora").toString(), text).out(),
        CliRun.of("llm", "classify", "--model", tmp.resolve("merged").toString(), text).out());
    CliRun noAdapters = CliRun.of("llm", "merge-lora", "--model", cls.toString(), "--out", tmp.resolve("m2").toString());
    noAdapters.isShortError();
    assertTrue(noAdapters.err().contains("no LoRA adapters"), noAdapters.err());
    CliRun bad = CliRun.of("llm", "finetune", "classify", "--model", base.toString(), "--train-layers", "top-2",
        "--out", tmp.resolve("x").toString());
    bad.isShortError();
    assertTrue(bad.err().contains("--train-layers must be all or last-K"), bad.err());
    CliRun notClassifier = CliRun.of("llm", "classify", "--model", base.toString(), "hello");
    notClassifier.isShortError();
    assertTrue(notClassifier.err().contains("is not a classifier run"), notClassifier.err());
  }
}
