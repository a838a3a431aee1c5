package org.genai4j.samples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.genai4j.datasets.Datasets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code llm finetune classify} and {@code llm finetune instruct} from tiny pretrained GPTs, and what they write. */
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

  /**
   * {@code llm finetune instruct} from a tiny GPT pretrained on the instruction texts: the losses,
   * the run that {@code llm generate} reads, the responses file, and the named errors.
   */
  @Test
  void aPretrainedGptLearnsInstructionsAndWritesItsTestResponses() throws Exception {
    StringBuilder json = new StringBuilder("[");
    StringBuilder corpus = new StringBuilder();
    String[] words = {"red", "blue", "green", "black", "white", "pink", "gold", "gray", "teal", "navy", "lime",
        "plum", "rose", "sand", "jade", "ruby", "mint", "snow", "rust", "wine"};
    for (int i = 0; i < words.length; i++) {
      json.append(i == 0 ? "" : ",").append("{\"instruction\": \"Repeat the word.\", \"input\": \"")
          .append(words[i]).append("\", \"output\": \"").append(words[i]).append("\"}");
      corpus.append(org.genai4j.llm.finetune.AlpacaPrompt.full(org.genai4j.llm.finetune.InstructionRecord.of(
          "Repeat the word.", words[i], words[i]))).append("\n\n###\n");
    }
    Path data = Files.writeString(tmp.resolve("instructions.json"), json.append("]").toString());
    Path text = Files.writeString(tmp.resolve("corpus.txt"), corpus.toString().repeat(3));
    Path base = tmp.resolve("base");
    CliRun train = CliRun.of("llm", "train", "--data", "tinyshakespeare", "--data-path", text.toString(), "--layers",
        "1", "--heads", "2", "--embd", "16", "--block", "256", "--batch", "4", "--iters", "2", "--warmup", "1",
        "--eval-every", "2", "--eval-batches", "1", "--out", base.toString());
    assertEquals(0, train.exit(), train.err());

    Path run = tmp.resolve("instruct");
    CliRun tune = CliRun.of("llm", "finetune", "instruct", "--model", base.toString(), "--data-path", data.toString(),
        "--iters", "3", "--batch", "4", "--lr", "1e-3", "--eval-every", "2", "--eval-batches", "1",
        "--response-tokens", "5", "--max-length", "176", "--out", run.toString());
    assertEquals(0, tune.exit(), tune.err());
    assertTrue(tune.out().contains("20 records; split 17 / 1 / 2 (train / val / test)")
        && tune.out().contains("val_loss (responses): ") && tune.out().contains("3 steps"), tune.out());
    // Examples longer than 176 inputs (prompts of 172 to 175 characters, a word, 5 end ids) are cut, with a warning.
    assertTrue(tune.err().contains("warning: train record 0 (\"Repeat the word.\") has ")
        && tune.err().contains("more train records were cut"), tune.err());
    JsonNode responses = new ObjectMapper().readTree(run.resolve("test-responses.json").toFile());
    assertEquals(2, responses.size());
    assertEquals("snow", responses.get(0).path("input").asText());
    assertTrue(responses.get(1).has("model_response"), responses.toString());
    assertTrue(Files.readString(run.resolve("metrics.jsonl")).contains("eval/val_loss"));
    CliRun generate = CliRun.of("llm", "generate", "--model", run.toString(), "--prompt", "Repeat", "--tokens", "5");
    assertEquals(0, generate.exit(), generate.err());
    // With LoRA the run holds the adapters only; it generates like the merged model.
    Path lora = tmp.resolve("instruct-lora");
    CliRun adapted = CliRun.of("llm", "finetune", "instruct", "--model", base.toString(), "--data-path",
        data.toString(), "--iters", "2", "--batch", "4", "--lr", "1e-2", "--eval-every", "0", "--eval-batches", "1",
        "--response-tokens", "0", "--max-length", "176", "--lora-rank", "2", "--lora-targets", "attn",
        "--out", lora.toString());
    assertEquals(0, adapted.exit(), adapted.err());
    assertTrue(adapted.out().contains("adapters only") && Files.isRegularFile(lora.resolve("lora.json")),
        adapted.out());
    String[] greedy = {"--prompt", "Repeat", "--tokens", "8", "--temperature", "0"};
    String adaptedText = CliRun.of(concat(new String[] {"llm", "generate", "--model", lora.toString()}, greedy)).out();
    assertEquals(0, CliRun.of("llm", "merge-lora", "--model", lora.toString(), "--out",
        tmp.resolve("instruct-merged").toString()).exit());
    assertEquals(adaptedText, CliRun.of(concat(new String[] {"llm", "generate", "--model",
        tmp.resolve("instruct-merged").toString()}, greedy)).out());

    CliRun strict = CliRun.of("llm", "finetune", "instruct", "--model", base.toString(), "--data-path",
        data.toString(), "--max-length", "176", "--no-truncate", "--out", tmp.resolve("strict").toString());
    strict.isShortError();
    assertTrue(strict.err().contains("train record 0 (\"Repeat the word.\") has ")
        && strict.err().contains("--no-truncate"), strict.err());
    CliRun noResponse = CliRun.of("llm", "finetune", "instruct", "--model", base.toString(), "--data-path",
        data.toString(), "--max-length", "100", "--out", tmp.resolve("short").toString());
    // The cut examples' warnings, then the error as the last line.
    assertEquals(2, noResponse.exit(), noResponse.err());
    assertTrue(noResponse.err().strip().lines().reduce((a, b) -> b).orElse("").contains(
        "no training example keeps a response token within 100 inputs") && !noResponse.err().contains("\tat "),
        noResponse.err());
    Path bad = Files.writeString(tmp.resolve("bad.json"),
        "[{\"instruction\": \"a\", \"output\": \"b\"}, {\"instruction\": \"c\", \"input\": \"d\"}]");
    CliRun noOutput = CliRun.of("llm", "finetune", "instruct", "--model", base.toString(), "--data-path",
        bad.toString(), "--out", tmp.resolve("bad").toString());
    noOutput.isShortError();
    assertTrue(noOutput.err().contains("record 1 has no \"output\""), noOutput.err());
    CliRun wrongKind = CliRun.of("llm", "finetune", "instruct", "--model", base.toString(), "--data", "sms-spam",
        "--out", tmp.resolve("x").toString());
    wrongKind.isShortError();

    if (Datasets.isAvailableOffline("instruct")) {
      Path full = tmp.resolve("full");
      CliRun book = CliRun.of("llm", "finetune", "instruct", "--model", base.toString(), "--data", "instruct",
          "--iters", "1", "--batch", "2", "--eval-every", "0", "--eval-batches", "1", "--response-tokens", "2",
          "--out", full.toString());
      assertEquals(0, book.exit(), book.err());
      assertTrue(book.out().contains("1100 records; split 935 / 55 / 110"), book.out());
      assertEquals(110, new ObjectMapper().readTree(full.resolve("test-responses.json").toFile()).size());
    }
  }
}
