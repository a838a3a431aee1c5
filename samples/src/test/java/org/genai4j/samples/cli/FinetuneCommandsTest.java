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
    assertTrue(Files.notExists(tmp.resolve("lora/model.safetensors")) && Files.isRegularFile(tmp.resolve(
        "lora/adapter_model.safetensors")) && Files.isRegularFile(tmp.resolve("lora/lora.json")), "adapters only");
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
    CliRun noTargets = CliRun.of("llm", "finetune", "classify", "--model", base.toString(), "--lora-rank", "2",
        "--lora-targets", "q_proj,v_proj", "--out", tmp.resolve("y").toString());
    noTargets.isShortError();
    assertTrue(noTargets.err().contains("--lora-targets 'q_proj' selects no linear layer of this model; its blocks have"
        + " attn.c_attn"), noTargets.err());
    CliRun wide = CliRun.of("llm", "finetune", "classify", "--model", base.toString(), "--lora-rank", "17",
        "--out", tmp.resolve("z").toString());
    wide.isShortError();
    assertTrue(wide.err().contains("--lora-rank 17 exceeds the width of transformer.h.0."), wide.err());
  }

  @Test
  void trainContinuesAModelAndTrainsLoraAdaptersThatMergeIntoAStandaloneModel() throws Exception {
    Path base = tmp.resolve("base");
    String[] data = {"--data", "synthetic-text", "--batch", "4", "--warmup", "1", "--eval-every", "2",
        "--eval-batches", "1"};
    CliRun train = CliRun.of(concat(new String[] {"llm", "train", "--layers", "1", "--heads", "2", "--embd", "16",
        "--block", "32", "--iters", "2", "--out", base.toString()}, data));
    assertEquals(0, train.exit(), train.err());
    Path more = tmp.resolve("more");
    CliRun full = CliRun.of(concat(new String[] {"llm", "train", "--init-from", base.toString(), "--iters", "2",
        "--block", "16", "--out", more.toString()}, data));
    assertEquals(0, full.exit(), full.err());
    assertTrue(full.out().contains("trainable parameters: ") && full.out().contains("(100.0 %)"), full.out());
    assertTrue(Files.readString(more.resolve("train.json")).contains("\"window\" : 16"), "16-token windows");
    Path lora = tmp.resolve("lora");
    CliRun adapted = CliRun.of(concat(new String[] {"llm", "train", "--init-from", base.toString(), "--iters", "2",
        "--lora-rank", "2", "--lora-targets", "attn", "--out", lora.toString()}, data));
    assertEquals(0, adapted.exit(), adapted.err());
    // c_attn: A 2x16 + B 48x2, c_proj: A 2x16 + B 16x2.
    assertTrue(adapted.out().contains("trainable parameters: 192 of "), adapted.out());
    assertTrue(Files.isRegularFile(lora.resolve("lora.json")));
    CliRun resumed = CliRun.of(concat(new String[] {"llm", "train", "--init-from", base.toString(), "--iters", "4",
        "--lora-rank", "2", "--lora-targets", "attn", "--out", lora.toString(), "--resume", "--allow-change"}, data));
    assertEquals(0, resumed.exit(), resumed.err());
    assertTrue(resumed.out().contains("steps=4 "), resumed.out());
    String[] generate = {"--tokens", "12", "--temperature", "0", "--prompt", "a"};
    String adaptedText = CliRun.of(concat(new String[] {"llm", "generate", "--model", lora.toString()}, generate)).out();
    CliRun merge = CliRun.of("llm", "merge-lora", "--model", lora.toString(), "--out", tmp.resolve("merged").toString());
    assertEquals(0, merge.exit(), merge.err());
    assertTrue(merge.out().contains("standalone"), merge.out());
    assertEquals(adaptedText, CliRun.of(concat(new String[] {"llm", "generate", "--model",
        tmp.resolve("merged").toString()}, generate)).out(), "the merged model generates what the adapted one did");
    CliRun export = CliRun.of("llm", "export", "--model", lora.toString(), "--out", tmp.resolve("hf").toString());
    assertEquals(0, export.exit(), export.err());
    assertEquals(adaptedText, CliRun.of(concat(new String[] {"llm", "generate", "--model",
        tmp.resolve("hf").toString()}, generate)).out(), "a LoRA run exports with its adapters folded in");
    CliRun inspect = CliRun.of("llm", "inspect", "--model", lora.toString());
    assertEquals(0, inspect.exit(), inspect.err());
    assertTrue(inspect.out().startsWith("format: genai4j LoRA run (rank 2, alpha 16.0 on attn: 192 adapter values"), inspect.out());

    CliRun noBase = CliRun.of(concat(new String[] {"llm", "train", "--lora-rank", "2", "--out",
        tmp.resolve("x").toString()}, data));
    noBase.isShortError();
    assertTrue(noBase.err().contains("--lora-rank needs a base model to adapt: add --init-from MODEL"), noBase.err());
    CliRun shape = CliRun.of(concat(new String[] {"llm", "train", "--init-from", base.toString(), "--layers", "3",
        "--out", tmp.resolve("x").toString()}, data));
    shape.isShortError();
    assertTrue(shape.err().contains("--layers is the base model's with --init-from"), shape.err());
    CliRun alphaAlone = CliRun.of(concat(new String[] {"llm", "train", "--init-from", base.toString(), "--lora-alpha",
        "8", "--out", tmp.resolve("x").toString()}, data));
    alphaAlone.isShortError();
    assertTrue(alphaAlone.err().contains("--lora-alpha goes with --lora-rank"), alphaAlone.err());
    CliRun chained = CliRun.of(concat(new String[] {"llm", "train", "--init-from", lora.toString(), "--lora-rank", "2",
        "--out", tmp.resolve("x").toString()}, data));
    chained.isShortError();
    assertTrue(chained.err().contains("is itself a LoRA run"), chained.err());
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
