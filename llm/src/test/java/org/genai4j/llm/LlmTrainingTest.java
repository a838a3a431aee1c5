package org.genai4j.llm;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import org.genai4j.llm.generate.GenerationOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The facade end to end on a tiny model: train, checkpoints, load, evaluate, generate, resume. */
class LlmTrainingTest {

  static final String TEXT = ("ROMEO:\nBut soft, what light through yonder window breaks?\n"
      + "JULIET:\nO Romeo, Romeo, wherefore art thou Romeo?\n").repeat(8);

  static LlmTrainOptions tiny(int iters) {
    return LlmTrainOptions.reference().withModel(1, 2, 16, 16).withBatch(4, 2).withIters(iters)
        .withLr(1e-2, 1e-3, 2).withEval(3, 2).withLogEvery(1).withProgressBar(false);
  }

  @Test
  void trainsWritesARunDirectoryAndLoadsBack(@TempDir Path dir) {
    String train = TEXT.substring(0, TEXT.length() * 3 / 4);
    String val = TEXT.substring(TEXT.length() * 3 / 4);
    LlmTraining.Summary s = LlmTraining.train(train, val, tiny(6), dir);
    assertEquals(6, s.steps());
    int vocab = (int) TEXT.codePoints().distinct().count();
    assertTrue(s.valLoss() < Math.log(vocab) - 0.1, "validation loss should fall below uniform (" + Math.log(vocab) + "): " + s);
    for (String f : new String[] {"gpt.json", "tokenizer.json", "train.json", "checkpoints/best/model.safetensors", "checkpoints/last/model.safetensors", "metrics.jsonl"}) {
      assertTrue(Files.isRegularFile(dir.resolve(f)), f);
    }
    LlmModel m = LlmModelDir.load(dir);
    LlmEvaluation.Result r = LlmEvaluation.evaluate(m, val, 3, 1);
    assertTrue(r.toString().matches("val_loss=\\d+\\.\\d{4} ppl=\\d+\\.\\d{4} bpc=\\d+\\.\\d{4}"), r.toString());
    assertEquals(Math.exp(r.loss()), r.perplexity(), 1e-9);
    // Char tokenizer: one character per token, so bpc is the loss in bits.
    assertEquals(r.loss() / Math.log(2), r.bitsPerChar(), 1e-9);
    assertEquals(r, LlmEvaluation.evaluate(m, val, 3, 1), "a fixed seed gives the same estimate");
    String text = TextGeneration.generate(m, "ROMEO:", GenerationOptions.defaults().withMaxTokens(20));
    assertEquals(20, text.codePointCount(0, text.length()));
  }

  @Test
  void resumingEqualsTrainingStraightThrough(@TempDir Path dir) {
    LlmTraining.train(TEXT, TEXT, tiny(6), dir.resolve("straight"));
    // Same schedule as the straight run (decay ends at 6), stopped at 3, then resumed.
    LlmTraining.train(TEXT, TEXT, tiny(6).withIters(3, 6), dir.resolve("split"));
    LlmTrainOptions second = tiny(6).withResume(true);
    LlmTraining.train(TEXT, TEXT, second, dir.resolve("split"));
    LlmModel a = LlmModelDir.load(dir.resolve("straight"), dir.resolve("straight/checkpoints/last"));
    LlmModel b = LlmModelDir.load(dir.resolve("split"), dir.resolve("split/checkpoints/last"));
    assertEquals(6, b.step());
    for (var e : a.weights().entrySet()) {
      INDArray other = b.weights().get(e.getKey());
      assertTrue(e.getValue().equalsWithEps(other, 1e-6), e.getKey() + " differs after resume");
    }
  }

  @Test
  void missingModelDirectoryIsAClearError(@TempDir Path dir) {
    var e = assertThrows(IllegalArgumentException.class, () -> LlmModelDir.load(dir.resolve("nope")));
    assertTrue(e.getMessage().contains("model directory not found"), e.getMessage());
  }
}
