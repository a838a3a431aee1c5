package org.genai4j.samples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.genai4j.llm.GptTrainOptions;
import org.genai4j.llm.GptTraining;
import org.genai4j.llm.model.GptConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code llm finetune dpo} a few steps on a tiny GPT pretrained in the test, then {@code llm generate} from the result. */
class DpoCommandTest {
  @TempDir Path tmp;

  private static String[] concat(String[] a, String[] b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void aTinyGptIsPreferenceTunedAndTheTunedRunGenerates() throws Exception {
    // 40 pairs in the preference file's format (the split: 34 / 2 / 4), polite chosen against rude rejected.
    ObjectMapper json = new ObjectMapper();
    ArrayNode records = json.createArrayNode();
    StringBuilder text = new StringBuilder();
    Random r = new Random(3);
    for (int i = 0; i < 40; i++) {
      String word = "w" + (char) ('a' + r.nextInt(26)) + (char) ('a' + r.nextInt(26));
      ObjectNode o = records.addObject();
      o.put("instruction", "Repeat the word.");
      o.put("input", word);
      o.put("output", word);
      o.put("chosen", "Sure, it is " + word + ".");
      o.put("rejected", "Ugh. " + word + "!");
      text.append("Below is an instruction that describes a task. Write a response that appropriately completes the"
          + " request.\n\n### Instruction:\nRepeat the word.\n\n### Input:\n").append(word)
          .append("\n\n### Response:\nSure, it is ").append(word).append(".\n\nUgh. ").append(word).append("!\n\n");
    }
    Path data = Files.createDirectories(tmp.resolve("data"));
    Files.writeString(data.resolve("instruction-data-with-preference.json"), json.writeValueAsString(records));
    Path base = tmp.resolve("base");
    GptTraining.train(text.toString(), text.toString(), GptConfig.reference().withShape(1, 2, 16, 192),
        GptTrainOptions.reference(base).withIters(2).withBatch(2, 1).withLr(1e-3, 1e-4, 1).withEval(2, 1)
            .withProgressBar(false));

    Path out = tmp.resolve("dpo");
    CliRun dpo = CliRun.of("llm", "finetune", "dpo", "--model", base.toString(), "--data-path", data.toString(),
        "--iters", "3", "--batch", "4", "--lr", "1e-3", "--beta", "0.5", "--eval-every", "2", "--shards", "2",
        "--max-length", "185",
        "--out", out.toString());
    assertEquals(0, dpo.exit(), dpo.err());
    assertTrue(dpo.out().contains("split 34 / 2 / 4 (train / val / test)") && dpo.out().contains("val    tuned")
        && dpo.out().contains("test   base   0.6931") && dpo.out().contains("tuned model written to"), dpo.out());
    // Prompt 172 characters, the chosen response 16 and the end header 5: cut to 186 (185 inputs and a target).
    assertTrue(dpo.err().contains("warning: train record 0 (chosen) has 193 tokens (prompt 172), more than the 186"),
        dpo.err());
    List<String> metrics = Files.readAllLines(out.resolve("metrics.jsonl"));
    assertEquals(4, metrics.size(), "steps 0 (evaluation), 1, 2, 3: " + metrics);
    assertTrue(metrics.get(3).contains("\"dpo/reward_margin\"") && metrics.get(3).contains("\"eval/val_logp_gap\""),
        metrics.get(3));
    CliRun gen = CliRun.of("llm", "generate", "--model", out.toString(), "--prompt", "### Response:\n", "--tokens",
        "5", "--temperature", "0");
    assertEquals(0, gen.exit(), gen.err());
    assertTrue(gen.out().startsWith("### Response:\n"), gen.out());
    // With LoRA the run holds the adapters only, and generates as its merged form does.
    Path lora = tmp.resolve("dpo-lora");
    CliRun adapted = CliRun.of("llm", "finetune", "dpo", "--model", base.toString(), "--data-path", data.toString(),
        "--iters", "2", "--batch", "4", "--lr", "1e-2", "--eval-every", "0", "--max-length", "185", "--lora-rank", "2",
        "--lora-targets", "attn", "--out", lora.toString());
    assertEquals(0, adapted.exit(), adapted.err());
    // c_attn: A 2x16 + B 48x2, c_proj: A 2x16 + B 16x2.
    assertTrue(adapted.out().contains("trainable parameters: 192 of ") && Files.isRegularFile(
        lora.resolve("lora.json")), adapted.out());
    String[] greedy = {"--prompt", "### Response:\n", "--tokens", "6", "--temperature", "0"};
    String tuned = CliRun.of(concat(new String[] {"llm", "generate", "--model", lora.toString()}, greedy)).out();
    assertEquals(0, CliRun.of("llm", "merge-lora", "--model", lora.toString(), "--out",
        tmp.resolve("dpo-merged").toString()).exit());
    assertEquals(tuned, CliRun.of(concat(new String[] {"llm", "generate", "--model",
        tmp.resolve("dpo-merged").toString()}, greedy)).out());

    CliRun again = CliRun.of("llm", "finetune", "dpo", "--model", base.toString(), "--data-path", data.toString(),
        "--beta", "0", "--out", tmp.resolve("x").toString());
    again.isShortError();
    assertTrue(again.err().contains("--beta must be > 0"), again.err());
    Files.writeString(data.resolve("instruction-data-with-preference.json"),
        "[{\"instruction\": \"a\", \"output\": \"b\"}]");
    CliRun noPreference = CliRun.of("llm", "finetune", "dpo", "--model", base.toString(), "--data-path",
        data.toString(), "--out", tmp.resolve("y").toString());
    noPreference.isShortError();
    assertTrue(noPreference.err().contains("chosen"), noPreference.err());
  }
}
