package org.genai4j.samples.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.genai4j.llm.GptTrainOptions;
import org.genai4j.llm.finetune.ClassifierOptions;
import org.genai4j.llm.finetune.LabeledTexts;
import org.genai4j.llm.finetune.LoraConfig;
import org.genai4j.llm.finetune.LoraRun;
import org.genai4j.llm.model.GptConfig;
import org.genai4j.samples.report.Report;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tiny {@code compare finetune}: four rows in the report, the runs where they belong. */
class FinetuneComparisonTest {
  @TempDir Path tmp;

  @Test
  void aTinyComparisonReportsAllFourRows() throws Exception {
    LabeledTexts all = BagOfWordsClassifierTest.synthetic(3, 120);
    LabeledTexts.Splits split = new LabeledTexts.Splits(part(all, 0, 80), part(all, 80, 100), part(all, 100, 120));
    ClassifierOptions full = ClassifierOptions.defaults(null).withTrainLayers(-1).withIters(2)
        .withOptimizer(8, 1e-3, 0.1).withRun(1, 1, false, 0, 32);
    FinetuneComparison.Setup setup = new FinetuneComparison.Setup(GptConfig.reference().withShape(1, 2, 16, 32),
        GptTrainOptions.reference().withIters(2).withBatch(4, 1).withLr(1e-3, 1e-4, 1).withEval(2, 1)
            .withProgressBar(false).withThreads(1),
        full, full.withLora(new LoraConfig(2, 4, LoraConfig.parseTargets("attn"))),
        BagOfWordsClassifier.Options.defaults());
    Path out = tmp.resolve("cmp");
    FinetuneComparison.Result r = FinetuneComparison.run(all, split, setup, out);
    assertEquals(4, r.rows().size());
    FinetuneComparison.Row lora = r.rows().get(2);
    assertTrue(lora.trainable() < r.rows().get(0).trainable(), "LoRA trains fewer parameters");
    assertEquals(r.rows().get(0).total(), r.rows().get(1).total(), "the same model from random weights");
    assertEquals(1.0, r.rows().get(3).accuracy().get("test"), "the bag of words finds the spammy words");
    assertTrue(LoraRun.isIn(out.resolve("lora")) && Files.isDirectory(out.resolve("full"))
        && Files.isDirectory(out.resolve("random")));

    Report report = new Report("tiny", Map.of("data", "synthetic"));
    FinetuneComparison.addTo(report, r);
    report.write(out);
    JsonNode rows = new ObjectMapper().readTree(out.resolve("report.json").toFile()).path("tables").path("classifiers");
    assertEquals(4, rows.size());
    List<String> names = new ArrayList<>();
    rows.forEach(row -> names.add(row.path("model").asText()));
    assertEquals(List.of("GPT, pretrained, fully fine-tuned", "GPT, random init, fully fine-tuned",
        "GPT, pretrained, LoRA r2 alpha 4 on attn", "bag of words, logistic regression"), names);
    assertTrue(rows.get(3).path("test accuracy").asText().equals("100.00 %"), rows.get(3).toString());
    String html = Files.readString(out.resolve("report.html"));
    assertTrue(html.contains("share trainable") && html.contains("bag of words"), "the table is in the page");
    double withPretraining = Double.parseDouble(rows.get(0).path("with pretraining (s)").asText());
    assertEquals(r.rows().get(0).seconds() + r.pretrainSeconds(), withPretraining, 0.06, "the pretrained rows count the pretraining");
    assertEquals(rows.get(1).path("training time (s)").asText(), rows.get(1).path("with pretraining (s)").asText());

    // A second comparison into the same folder is refused, naming the folder.
    var again = assertThrows(IllegalArgumentException.class, () -> FinetuneComparison.run(all, split, setup, out));
    assertTrue(again.getMessage().contains("holds a run of an earlier comparison; choose another --out"),
        again.getMessage());
  }

  private static LabeledTexts part(LabeledTexts all, int from, int to) {
    return new LabeledTexts(all.texts().subList(from, to), java.util.Arrays.copyOfRange(all.labels(), from, to),
        all.classes());
  }
}
