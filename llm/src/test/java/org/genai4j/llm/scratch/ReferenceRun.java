package org.genai4j.llm.scratch;

import java.nio.file.*;
import org.genai4j.llm.*;
import org.genai4j.llm.generate.GenerationOptions;

/** The reference run: train, evaluate on 200 validation batches, generate a sample. */
public class ReferenceRun {
  public static void main(String[] a) throws Exception {
    Path out = Path.of(a.length > 0 ? a[0] : "/tmp/llm-ref");
    int iters = a.length > 1 ? Integer.parseInt(a[1]) : 2000;
    String text = Files.readString(Path.of("/work/shared/data/text/tinyshakespeare.txt"));
    int split = (int) (text.length() * 0.9);
    String train = text.substring(0, split), val = text.substring(split);
    LlmTrainOptions o = LlmTrainOptions.reference().withProgressBar(false).withIters(iters).withLogEvery(50).withResume(true);
    LlmTraining.Summary s = LlmTraining.train(train, val, o, out);
    System.out.println(s);
    LlmModel m = LlmModelDir.load(out);
    long t0 = System.nanoTime();
    LlmEvaluation.Result r = LlmEvaluation.evaluate(m, val, 200, 1);
    System.out.printf("eval of step %d on 200 batches took %.1f s%n", m.step(), (System.nanoTime() - t0) / 1e9);
    System.out.println(r);
    var g = TextGeneration.generate(m, "ROMEO:", GenerationOptions.defaults().withMaxTokens(300).withTopK(40).withSeed(1),
        piece -> { System.out.print(piece); System.out.flush(); });
    System.out.printf("%n[%d tokens, %.1f tokens/s]%n", g.tokens().length, g.tokensPerSecond());
  }
}
