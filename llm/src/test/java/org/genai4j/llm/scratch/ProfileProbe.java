package org.genai4j.llm.scratch;

import java.nio.file.*;
import java.util.*;
import org.genai4j.common.train.*;
import org.genai4j.llm.model.*;
import org.genai4j.llm.tokenizer.*;
import org.genai4j.llm.train.TokenBatches;
import org.nd4j.autodiff.listeners.*;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;

public class ProfileProbe {
  static Map<String, long[]> stats = new HashMap<>();
  static long start;
  static boolean on;
  public static void main(String[] a) throws Exception {
    String text = Files.readString(Path.of("/work/shared/data/text/tinyshakespeare.txt"));
    Tokenizer t = CharTokenizer.fromCorpus(text);
    int[] toks = t.encode(text);
    GptConfig c = GptConfig.of(t.vocabSize(), 4, 4, 128, 64);
    GptModel m = new GptModel(c, 12, 64, true, 1);
    TokenBatches src = new TokenBatches(toks, 12, 64);
    ParameterGroup g = m.parameterGroups().get(0);
    Random r = new Random(1);
    m.sameDiff().setListeners(new BaseListener() {
      public boolean isActive(Operation op) { return true; }
      public void preOpExecution(SameDiff sd, At at, SameDiffOp op, OpContext ctx) { start = System.nanoTime(); }
      public void opExecution(SameDiff sd, At at, MultiDataSet b, SameDiffOp op, OpContext ctx, INDArray[] out) {
        if (!on) return;
        long[] s = stats.computeIfAbsent(op.getOp().opName(), k -> new long[2]);
        s[0]++; s[1] += System.nanoTime() - start;
      }
    });
    int iters = 10;
    long total = 0;
    for (int i = 0; i < 5 + iters; i++) {
      on = i >= 5;
      var bt = src.next(r);
      long t0 = System.nanoTime();
      g.computeGradients(bt);
      if (on) total += System.nanoTime() - t0;
    }
    long opSum = stats.values().stream().mapToLong(s -> s[1]).sum();
    System.err.printf("wall per iter %.1f ms, op time per iter %.1f ms, ops per iter %d%n", total / 1e6 / iters, opSum / 1e6 / iters,
        stats.values().stream().mapToLong(s -> s[0]).sum() / iters);
    stats.entrySet().stream().sorted((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1])).limit(30)
        .forEach(e -> System.err.printf("%-28s %5d calls %8.2f ms/iter%n", e.getKey(), e.getValue()[0] / iters, e.getValue()[1] / 1e6 / iters));
  }
}
