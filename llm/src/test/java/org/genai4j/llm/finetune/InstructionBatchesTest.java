package org.genai4j.llm.finetune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.genai4j.common.ops.Param;
import org.genai4j.common.ops.Params;
import org.genai4j.common.ops.StepContext;
import org.genai4j.common.train.Batch;
import org.genai4j.llm.finetune.InstructionBatches.Encoder;
import org.genai4j.llm.finetune.InstructionBatches.Sequence;
import org.genai4j.llm.model.Gpt;
import org.genai4j.llm.model.GptConfig;
import org.genai4j.llm.tokenizer.CharTokenizer;
import org.genai4j.llm.tokenizer.Gpt2Tokenizer;
import org.genai4j.llm.train.TokenBatches;
import org.junit.jupiter.api.Test;

/** Instruction batches: their layout, the end ids, truncation, and that prompt and padding do not count in the loss. */
class InstructionBatchesTest {
  private static final int I = InstructionBatches.IGNORE_INDEX;
  private static final CharTokenizer CHARS = CharTokenizer.fromCorpus("abcdefgh\n#");

  @Test
  void padsEachBatchToItsLongestSequenceAndIgnoresPromptAndPaddingTargets() {
    Encoder enc = new Encoder(CHARS, new int[] {1}, 32, false);
    Sequence a = enc.encode("abc", "de", "a", s -> {});
    // ids: a b c | d e END(1); the prompt is 3 ids.
    assertArrayEquals(new int[] {2, 3, 4, 5, 6, 1}, a.ids());
    assertEquals(3, a.promptLength());
    assertArrayEquals(new boolean[] {false, false, false, true, true, true}, a.responseMask());
    // The target of position 2 (after 'c') is the first response id; earlier targets are prompt ids.
    assertArrayEquals(new int[] {I, I, 5, 6, 1}, a.targets());
    Sequence b = enc.encode("h", "g", "b", s -> {});
    Batch batch = InstructionBatches.batchOf(List.of(a, b), 0);
    assertArrayEquals(new long[] {2, 5}, batch.get("x").shape());
    assertArrayEquals(new int[] {2, 3, 4, 5, 6, 9, 8, 0, 0, 0}, TokenBatches.ids(batch, "x", null));
    assertArrayEquals(new int[] {I, I, 5, 6, 1, 8, 1, I, I, I}, TokenBatches.ids(batch, "y", null));
    // A batch of short sequences only is as long as they are, not the context.
    assertArrayEquals(new long[] {1, 2}, InstructionBatches.batchOf(List.of(b), 0).get("y").shape());
    assertEquals(3 + 2, new InstructionBatches(List.of(a, b), 2, 0).responseTokens());
  }

  @Test
  void endsResponsesWithEndOfTextOrTheNextHeader() {
    assertArrayEquals(new int[] {50256}, InstructionBatches.endIds(new Gpt2Tokenizer()));
    int[] header = InstructionBatches.endIds(CHARS);
    assertEquals(InstructionBatches.END_WITHOUT_TOKEN, CHARS.decode(header));
    // A vocabulary that cannot write the header gets no end ids.
    assertEquals(0, InstructionBatches.endIds(CharTokenizer.fromCorpus("abc")).length);
    Encoder gpt2 = Encoder.of(new Gpt2Tokenizer(), 1024, 1024, false);
    Sequence s = gpt2.encode("### Response:\n", "Blue.", "r", x -> {});
    assertEquals(50256, s.ids()[s.ids().length - 1]);
    assertEquals(50256, gpt2.pad());
  }

  @Test
  void cutsLongSequencesWithAWarningOrRefusesThemWithNoTruncate() {
    List<String> warnings = new ArrayList<>();
    Encoder enc = new Encoder(CHARS, new int[] {1}, 4, false);
    Sequence s = enc.encode("abc", "defg", "train record 7 (\"x\")", warnings::add);
    assertArrayEquals(new int[] {2, 3, 4, 5, 6}, s.ids());
    assertEquals(1, warnings.size());
    assertTrue(warnings.get(0).startsWith("warning: train record 7 (\"x\") has 8 tokens (prompt 3), more than the 5")
        && warnings.get(0).lines().count() == 1, warnings.get(0));
    Encoder strict = new Encoder(CHARS, new int[] {1}, 4, true);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> strict.encode("abc", "defg", "train record 7 (\"x\")", warnings::add));
    assertTrue(e.getMessage().contains("train record 7") && e.getMessage().contains("--no-truncate"), e.getMessage());
    // A prompt that fills the context leaves no response target.
    Sequence cut = enc.encode("abcdefgh", "a", "r", warnings::add);
    assertEquals(0, cut.responseLength());
    assertTrue(java.util.Arrays.stream(cut.targets()).allMatch(t -> t == I));
    // Many records: three warnings, then one line for the rest.
    List<String> lines = new ArrayList<>();
    List<InstructionRecord> records = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      records.add(InstructionRecord.of("a", "", "b"));
    }
    new Encoder(CHARS, new int[0], 4, false).encode("train", records, lines::add);
    assertEquals(4, lines.size(), lines.toString());
    assertTrue(lines.get(0).contains("train record 0 (\"a\")") && lines.get(3).contains("3 more train records"),
        lines.toString());
  }

  /**
   * The loss of a padded batch is the mean, over response tokens only, of -log p(next | prefix)
   * computed here from each sequence's own forward pass without padding; more padding changes
   * neither the loss nor any gradient.
   */
  @Test
  void promptAndPaddingTokensDoNotChangeTheLossOrItsGradients() {
    GptConfig c = GptConfig.of(CHARS.vocabSize(), 2, 2, 16, 24);
    Params params = Params.init(5);
    Gpt gpt = new Gpt(c, params);
    Encoder enc = Encoder.of(CHARS, c.blockSize(), 64, false);
    Sequence a = enc.encode("abcabc\n", "hgf", "a", s -> {});
    Sequence b = enc.encode("ddd\n", "abcdefgh", "b", s -> {});

    double sum = 0;
    int count = 0;
    for (Sequence s : List.of(a, b)) {
      float[] logits = gpt.forward(StepContext.inference(), java.util.Arrays.copyOf(s.ids(), s.inputLength()), 1,
          s.inputLength()).toArray();
      int v = c.vocabSize();
      for (int t = s.promptLength() - 1; t < s.inputLength(); t++) {
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < v; k++) {
          max = Math.max(max, logits[t * v + k]);
        }
        double z = 0;
        for (int k = 0; k < v; k++) {
          z += Math.exp(logits[t * v + k] - max);
        }
        sum += max + Math.log(z) - logits[t * v + s.ids()[t + 1]];
        count++;
      }
    }
    assertEquals(a.responseLength() + b.responseLength(), count);
    double expected = sum / count;

    Map<String, float[]> tight = new HashMap<>();
    double loss = lossAndGradients(gpt, params, InstructionBatches.batchOf(List.of(a, b), 3), tight);
    assertEquals(expected, loss, 1e-5);
    // The same sequences with 7 more padding positions each, and a different padding id.
    Batch padded = pad(InstructionBatches.batchOf(List.of(a, b), 3), 7, 9);
    Map<String, float[]> loose = new HashMap<>();
    assertEquals(loss, lossAndGradients(gpt, params, padded, loose), 1e-6);
    for (String name : tight.keySet()) {
      float[] g1 = tight.get(name);
      float[] g2 = loose.get(name);
      double scale = 1e-6;
      for (float g : g1) {
        scale = Math.max(scale, Math.abs(g));
      }
      for (int i = 0; i < g1.length; i++) {
        if (name.equals("transformer.wpe.weight") && i >= c.nEmbd() * b.inputLength()) {
          // Rows of positions only padding reaches: their gradient is zero in both.
          assertEquals(0, g2[i], 1e-7, name + "[" + i + "]");
          continue;
        }
        assertEquals(g1[i], g2[i], 1e-5 * scale, name + "[" + i + "]");
      }
    }
  }

  private static double lossAndGradients(Gpt gpt, Params params, Batch batch, Map<String, float[]> grads) {
    StepContext ctx = StepContext.training(1, 0);
    params.list().forEach(p -> {
      p.setRequiresGrad(true);
      p.zeroGrad();
    });
    double loss = gpt.trainStep(batch, ctx).loss();
    for (Param p : params.list()) {
      grads.put(p.name(), p.grad().toArray());
    }
    return loss;
  }

  /** {@code batch} with {@code extra} more positions per row: inputs {@code id}, targets ignored. */
  private static Batch pad(Batch batch, int extra, int id) {
    int rows = batch.examples();
    int length = (int) batch.get("x").size(1);
    int[] x = TokenBatches.ids(batch, "x", null);
    int[] y = TokenBatches.ids(batch, "y", null);
    int wide = length + extra;
    int[] px = new int[rows * wide];
    int[] py = new int[rows * wide];
    java.util.Arrays.fill(px, id);
    java.util.Arrays.fill(py, I);
    for (int r = 0; r < rows; r++) {
      for (int t = 0; t < length; t++) {
        // Padding already in the row becomes id too: only real positions keep their ids.
        px[r * wide + t] = y[r * length + t] == I && t > 0 && isPadding(y, r, length, t) ? id : x[r * length + t];
        py[r * wide + t] = y[r * length + t];
      }
    }
    return new Batch(Map.of("x", org.nd4j.linalg.factory.Nd4j.createFromArray(px).reshape(rows, wide),
        "y", org.nd4j.linalg.factory.Nd4j.createFromArray(py).reshape(rows, wide)), rows, (long) rows * wide);
  }

  /** True when position {@code t} of row {@code r} and every later one are ignored (the row's padding tail). */
  private static boolean isPadding(int[] y, int r, int length, int t) {
    for (int k = t; k < length; k++) {
      if (y[r * length + k] != I) {
        return false;
      }
    }
    return true;
  }
}
