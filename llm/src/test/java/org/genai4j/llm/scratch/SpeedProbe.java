package org.genai4j.llm.scratch;

import java.nio.file.*;
import java.util.Random;
import org.genai4j.common.train.*;
import org.genai4j.llm.model.*;
import org.genai4j.llm.tokenizer.*;
import org.genai4j.llm.train.TokenBatches;

public class SpeedProbe {
  public static void main(String[] a) throws Exception {
    String text = Files.readString(Path.of("/work/shared/data/text/tinyshakespeare.txt"));
    Tokenizer t = CharTokenizer.fromCorpus(text);
    int[] toks = t.encode(text);
    GptConfig c = GptConfig.of(t.vocabSize(), 4, 4, 128, 64);
    GptModel m = new GptModel(c, 12, 64, true, 1);
    TokenBatches src = new TokenBatches(toks, 12, 64);
    ParameterGroup g = m.parameterGroups().get(0);
    Random r = new Random(1);
    int n = Integer.parseInt(a.length > 0 ? a[0] : "30");
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      Gradients gr = g.computeGradients(src.next(r));
      long t1 = System.nanoTime();
      if (i % 5 == 0 || i == n - 1) System.out.printf("step %d loss %.4f %.1f ms%n", i, gr.loss(), (t1 - t0) / 1e6);
    }
  }
}
