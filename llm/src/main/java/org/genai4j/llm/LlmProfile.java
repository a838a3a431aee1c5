package org.genai4j.llm;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.genai4j.common.train.ParameterGroup;
import org.genai4j.llm.model.GptConfig;
import org.genai4j.llm.model.GptModel;
import org.genai4j.llm.tokenizer.CharTokenizer;
import org.genai4j.llm.tokenizer.Tokenizer;
import org.genai4j.llm.train.TokenBatches;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Where a training step of the reference GPT spends its time: wall time per step, the part spent
 * inside SameDiff ops (forward and backward), and the ops ranked by time. The rest of the wall
 * time is SameDiff's own bookkeeping (graph session, array allocation) and the gradient handling.
 */
public final class LlmProfile {
  private LlmProfile() {}

  /** args: [iterations] (default 10, after 5 warmup steps). */
  public static void main(String[] args) {
    run(args.length > 0 ? Integer.parseInt(args[0]) : 10, System.out);
  }

  public static void run(int iters, PrintStream out) {
    Tokenizer tok = CharTokenizer.fromCorpus(LlmBench.syntheticCorpus());
    GptConfig c = GptConfig.of(tok.vocabSize(), 4, 4, 128, 64);
    GptModel m = new GptModel(c, 12, 64, true, 1);
    TokenBatches src = new TokenBatches(tok.encode(LlmBench.syntheticCorpus()), 12, 64);
    m.useFastStep(false); // this profiles SameDiff's ops; GptKernelProfile profiles the hand-written step
    ParameterGroup g = m.parameterGroups().get(0);
    OpTimer timer = new OpTimer();
    m.sameDiff().setListeners(timer);
    Random r = new Random(1);
    long total = 0;
    long cpu = 0;
    for (int i = 0; i < 5 + iters; i++) {
      timer.on = i >= 5;
      var batch = src.next(r);
      long t0 = System.nanoTime();
      long c0 = LlmBench.processCpuNanos();
      g.computeGradients(batch);
      if (timer.on) {
        total += System.nanoTime() - t0;
        cpu += LlmBench.processCpuNanos() - c0;
      }
    }
    long opSum = timer.stats.values().stream().mapToLong(s -> s[1]).sum();
    long calls = timer.stats.values().stream().mapToLong(s -> s[0]).sum();
    out.printf("load average %s; per step: wall %.1f ms, process CPU %.1f ms, inside ops %.1f ms (%.0f %% of wall), %d op calls%n",
        org.genai4j.common.util.Threads.loadAverage(), total / 1e6 / iters, cpu / 1e6 / iters, opSum / 1e6 / iters, 100.0 * opSum / total,
        calls / iters);
    out.println("| op | calls/step | ms/step | % of op time |");
    out.println("|---|---|---|---|");
    timer.stats.entrySet().stream().sorted((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1])).limit(20)
        .forEach(e -> out.printf("| %s | %d | %.2f | %.1f |%n", e.getKey(), e.getValue()[0] / iters,
            e.getValue()[1] / 1e6 / iters, 100.0 * e.getValue()[1] / opSum));
  }

  /** Times every op execution of the graph. */
  private static final class OpTimer extends BaseListener {
    final Map<String, long[]> stats = new HashMap<>();
    boolean on;
    private long start;

    @Override
    public boolean isActive(Operation operation) {
      return true;
    }

    @Override
    public void preOpExecution(SameDiff sd, At at, SameDiffOp op, OpContext ctx) {
      start = System.nanoTime();
    }

    @Override
    public void opExecution(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext ctx, INDArray[] outputs) {
      if (on) {
        long[] s = stats.computeIfAbsent(op.getOp().opName(), k -> new long[2]);
        s[0]++;
        s[1] += System.nanoTime() - start;
      }
    }
  }
}
