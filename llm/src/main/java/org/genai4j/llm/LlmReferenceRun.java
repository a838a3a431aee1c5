package org.genai4j.llm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.genai4j.llm.generate.GenerationOptions;

/**
 * The reference run from a text file: train nanoGPT's CPU configuration on the first 90 %
 * (resuming if the output directory holds a run), evaluate the best checkpoint on 200 batches of
 * the last 10 %, and stream a 300-token sample after "ROMEO:".
 *
 * <pre>java ... org.genai4j.llm.LlmReferenceRun tinyshakespeare.txt runs/shakespeare-char [iters]</pre>
 */
public final class LlmReferenceRun {
  private LlmReferenceRun() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 2) {
      System.err.println("usage: LlmReferenceRun <text file> <output dir> [iters]");
      System.exit(2);
    }
    String text = Files.readString(Path.of(args[0]));
    Path out = Path.of(args[1]);
    int iters = args.length > 2 ? Integer.parseInt(args[2]) : 2000;
    int split = (int) (text.length() * 0.9);
    String train = text.substring(0, split);
    String val = text.substring(split);
    LlmTrainOptions o = LlmTrainOptions.reference().withIters(iters).withLogEvery(50).withResume(true)
        .withProgressBar(System.console() != null);
    LlmTraining.Summary s = LlmTraining.train(train, val, o, out);
    System.out.println(s);
    LlmModel m = LlmModelDir.load(out);
    long t0 = System.nanoTime();
    LlmEvaluation.Result r = LlmEvaluation.evaluate(m, val, 200, 1);
    System.out.printf("evaluated step %d on 200 batches in %.1f s%n", m.step(), (System.nanoTime() - t0) / 1e9);
    System.out.println(r);
    var g = TextGeneration.generate(m, "ROMEO:", GenerationOptions.defaults().withMaxTokens(300).withTopK(40).withSeed(1),
        piece -> {
          System.out.print(piece);
          System.out.flush();
        });
    System.out.printf("%n[%d tokens, %.1f tokens/s]%n", g.tokens().length, g.tokensPerSecond());
  }
}
