package org.genai4j.llm.train;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import org.genai4j.common.ops.Params;
import org.genai4j.common.train.LrSchedule;
import org.genai4j.common.train.OptimizerConfig;
import org.genai4j.common.train.Trainer;
import org.genai4j.common.train.TrainerConfig;
import org.genai4j.llm.model.Gpt;
import org.genai4j.llm.model.GptConfig;
import org.genai4j.llm.model.GptTrainable;
import org.genai4j.llm.tokenizer.CharTokenizer;
import org.junit.jupiter.api.Test;

/** A tiny GPT memorizes a short text through the common Trainer: the loss goes to near zero. */
class OverfitTest {

  @Test
  void tinyModelMemorizesAShortText() {
    // Distinct characters, so every context determines the next one and zero loss is reachable.
    String text = "qwertyuiopasdfghjklzxcvbnm1234567890QWERTYUIOPASDFGHJKLZXCVBNM";
    CharTokenizer tok = CharTokenizer.fromCorpus(text);
    GptConfig c = GptConfig.of(tok.vocabSize(), 2, 2, 32, 16);
    Trainer trainer = new Trainer(new GptTrainable(new Gpt(c, Params.init(1))),
        OptimizerConfig.adamW(LrSchedule.warmupCosine(1e-2, 1e-3, 10, 150), 0.9, 0.99, 0.0),
        TrainerConfig.of(150, 7).withClipNorm(1.0).withLogEvery(10).withThreads(2));
    List<Double> losses = new ArrayList<>();
    trainer.addListener(r -> losses.add(r.loss()));
    trainer.fit(new TokenBatches(tok.encode(text), 8, 16));
    assertTrue(losses.get(0) > 3.0, "starts near ln(vocab): " + losses.get(0));
    double last = losses.get(losses.size() - 1);
    assertTrue(last < 0.05, "should memorize the text, final loss " + last + " (losses " + losses + ")");
  }
}
