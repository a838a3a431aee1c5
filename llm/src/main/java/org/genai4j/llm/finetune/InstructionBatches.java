package org.genai4j.llm.finetune;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.genai4j.common.ops.SoftmaxCrossEntropy;
import org.genai4j.common.train.Batch;
import org.genai4j.common.train.BatchSource;
import org.genai4j.llm.tokenizer.Tokenizer;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Batches of instruction examples for next-token training on the response only (LLMs-from-scratch
 * chapter 7's {@code custom_collate_fn}): each example is its prompt's ids, then its response's,
 * then the end-of-response ids ({@link Encoder#end()}); a batch pads its examples to the longest of
 * the batch (not to the context) and gives inputs {@code x} and next ids {@code y} ({@code [B, L]},
 * shifted by one), where the targets of prompt tokens and of padding are {@link #IGNORE_INDEX}, so
 * that the loss ({@link SoftmaxCrossEntropy}) averages over response tokens only. The first end id
 * is a target: the model learns to stop. Sequences longer than the model's context are cut or
 * refused by the {@link Encoder}. The throughput unit is the input token.
 *
 * <p>Preference tuning reuses the encoding: {@link Encoder#encode(String, String, String, Consumer)}
 * turns any (prompt, response) pair into a {@link Sequence} with its response mask, and {@link
 * #batchOf(List, int)} pads any list of them.
 */
public final class InstructionBatches implements BatchSource {
  /** The target of a position that does not count in the loss (PyTorch's default ignore index). */
  public static final int IGNORE_INDEX = SoftmaxCrossEntropy.DEFAULT_IGNORE_INDEX;

  /** The token GPT-2 (and its tokenizers) ends a text with; LLMs-from-scratch appends it to each example. */
  public static final String END_OF_TEXT = "<|endoftext|>";

  /**
   * What ends a response when the tokenizer has no {@link #END_OF_TEXT} token (a char or a small
   * BPE vocabulary): the start of the next Alpaca header, at which generation stops anyway.
   */
  public static final String END_WITHOUT_TOKEN = "\n\n###";

  private static final int MAX_WARNINGS = 3;

  private final List<Sequence> sequences;
  private final int batch;
  private final int pad;

  /**
   * Batches of {@code batch} sequences drawn at random (with replacement, as {@link
   * ClassificationBatches}), padded with id {@code pad} (never a target).
   */
  public InstructionBatches(List<Sequence> sequences, int batch, int pad) {
    if (sequences.isEmpty()) {
      throw new IllegalArgumentException("no instruction examples to train on");
    }
    if (batch < 1) {
      throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
    }
    this.sequences = List.copyOf(sequences);
    this.batch = batch;
    this.pad = pad;
  }

  /**
   * One tokenized example: {@code ids} are the prompt's {@code promptLength} ids followed by the
   * response's (end ids included); at least two ids, so that there is one input and one target.
   */
  public record Sequence(int[] ids, int promptLength) {
    public Sequence {
      if (ids.length < 2) {
        throw new IllegalArgumentException("a sequence needs at least 2 ids (one input, one target), got "
            + ids.length);
      }
      if (promptLength < 0 || promptLength > ids.length) {
        throw new IllegalArgumentException("prompt length " + promptLength + " is outside 0.." + ids.length);
      }
    }

    /** The ids the model reads: all but the last. */
    public int inputLength() {
      return ids.length - 1;
    }

    /** How many ids belong to the response (0 when truncation cut it off). */
    public int responseLength() {
      return ids.length - promptLength;
    }

    /** Per id, true when it belongs to the response (the end ids included). */
    public boolean[] responseMask() {
      boolean[] mask = new boolean[ids.length];
      Arrays.fill(mask, promptLength, ids.length, true);
      return mask;
    }

    /**
     * The targets of the inputs, {@link #inputLength()} of them: the next id where it is a response
     * id, {@link #IGNORE_INDEX} where it is part of the prompt.
     */
    public int[] targets() {
      int[] y = new int[inputLength()];
      for (int i = 0; i < y.length; i++) {
        y[i] = i + 1 >= promptLength ? ids[i + 1] : IGNORE_INDEX;
      }
      return y;
    }
  }

  /**
   * How texts become {@link Sequence}s for a model: its tokenizer, the ids that end a response, and
   * the longest input the model takes ({@code maxInputs}: sequences keep at most {@code maxInputs +
   * 1} ids, the last one only a target), cutting longer ones with a warning or, with {@code
   * noTruncate}, refusing them.
   *
   * @param tokenizer the model's tokenizer
   * @param end the ids appended to every response (may be empty)
   * @param maxInputs the most input tokens of a sequence (the model's context, or less)
   * @param noTruncate refuse a longer sequence instead of cutting it
   */
  public record Encoder(Tokenizer tokenizer, int[] end, int maxInputs, boolean noTruncate) {
    public Encoder {
      if (maxInputs < 1) {
        throw new IllegalArgumentException("--max-length must be >= 1, got " + maxInputs);
      }
      end = end.clone();
    }

    /**
     * The encoder for a model of context {@code context}: sequences of at most {@code min(maxLength,
     * context)} inputs, responses ended by {@link #endIds(Tokenizer)}.
     */
    public static Encoder of(Tokenizer tokenizer, int context, int maxLength, boolean noTruncate) {
      if (maxLength < 1) {
        throw new IllegalArgumentException("--max-length must be >= 1, got " + maxLength);
      }
      return new Encoder(tokenizer, endIds(tokenizer), Math.min(context, maxLength), noTruncate);
    }

    /** The ids appended to every response (a copy). */
    @Override
    public int[] end() {
      return end.clone();
    }

    /** The padding id: the (first) end id, as LLMs-from-scratch pads with {@code <|endoftext|>}; 0 without one. */
    public int pad() {
      return end.length > 0 ? end[0] : 0;
    }

    /**
     * The sequence of {@code response} after {@code prompt}, each encoded on its own (so the mask
     * falls exactly between them; the Alpaca prompt ends with a newline, where byte-level BPE
     * splits words anyway) with the end ids after the response. A sequence longer than {@code
     * maxInputs + 1} ids is cut to that (one line naming {@code name} to {@code warnings}) or, with
     * {@code noTruncate}, refused. Characters a char vocabulary lacks are left out, as a classifier
     * reads texts ({@link Tokenizer#encodeKnown}).
     */
    public Sequence encode(String prompt, String response, String name, Consumer<String> warnings) {
      int[] p = tokenizer.encodeKnown(prompt);
      int[] r = tokenizer.encodeKnown(response);
      int[] ids = new int[p.length + r.length + end.length];
      System.arraycopy(p, 0, ids, 0, p.length);
      System.arraycopy(r, 0, ids, p.length, r.length);
      System.arraycopy(end, 0, ids, p.length + r.length, end.length);
      int limit = maxInputs + 1;
      if (ids.length > limit) {
        String what = name + " has " + ids.length + " tokens (prompt " + p.length + "), more than the " + limit
            + " of " + maxInputs + " inputs (the model's context, or --max-length)";
        if (noTruncate) {
          throw new IllegalArgumentException(what + "; --no-truncate refuses to cut it (raise --max-length up to the"
              + " model's context, or drop the record)");
        }
        warnings.accept("warning: " + what + "; cut to its first " + limit
            + (p.length >= limit ? " (no response token left: it adds nothing to the loss)" : ""));
        ids = Arrays.copyOf(ids, limit);
      }
      if (ids.length < 2) {
        // An empty prompt and response with no end ids: nothing to learn, but keep the shapes valid.
        ids = new int[] {pad(), pad()};
        return new Sequence(ids, 2);
      }
      return new Sequence(ids, Math.min(p.length, ids.length));
    }

    /**
     * The sequences of {@code records} (the Alpaca prompt, then the output), named {@code "<split>
     * record <i>"} in warnings and errors; at most three truncation warnings are passed on, then
     * one line counting the rest.
     */
    public List<Sequence> encode(String split, List<InstructionRecord> records, Consumer<String> warnings) {
      List<Sequence> out = new ArrayList<>(records.size());
      int[] warned = {0};
      Consumer<String> capped = line -> {
        if (warned[0]++ < MAX_WARNINGS) {
          warnings.accept(line);
        }
      };
      for (int i = 0; i < records.size(); i++) {
        InstructionRecord r = records.get(i);
        out.add(encode(AlpacaPrompt.prompt(r), AlpacaPrompt.response(r.output()), split + " record " + i + " ("
            + quoted(r.instruction()) + ")", capped));
      }
      if (warned[0] > MAX_WARNINGS) {
        warnings.accept("warning: " + (warned[0] - MAX_WARNINGS) + " more " + split + " records were cut to "
            + (maxInputs + 1) + " tokens");
      }
      return out;
    }
  }

  /**
   * The ids that end a response: the tokenizer's {@link #END_OF_TEXT} token when it has one
   * (GPT-2's 50256), else the ids of {@link #END_WITHOUT_TOKEN} when the vocabulary expresses it
   * whole, else none (the response then just stops, and generation runs to its token budget).
   */
  public static int[] endIds(Tokenizer tokenizer) {
    byte[] eot = END_OF_TEXT.getBytes(StandardCharsets.UTF_8);
    // GPT-2 vocabularies put it last; look there first, then anywhere.
    for (int id = tokenizer.vocabSize() - 1; id >= 0; id--) {
      byte[] b = tokenizer.tokenBytes(id);
      if (b.length == eot.length && Arrays.equals(b, eot)) {
        return new int[] {id};
      }
    }
    int[] header = tokenizer.encodeKnown(END_WITHOUT_TOKEN);
    return tokenizer.decode(header).equals(END_WITHOUT_TOKEN) ? header : new int[0];
  }

  private static String quoted(String s) {
    String one = s.replaceAll("\\s+", " ").strip();
    return "\"" + (one.length() > 40 ? one.substring(0, 40) + "..." : one) + "\"";
  }

  @Override
  public Batch next(Random rng) {
    List<Sequence> pick = new ArrayList<>(batch);
    for (int b = 0; b < batch; b++) {
      pick.add(sequences.get(rng.nextInt(sequences.size())));
    }
    return batchOf(pick, pad);
  }

  /**
   * The batch of {@code rows}, in this order: inputs {@code x} and targets {@code y}, both INT
   * {@code [rows, L]} with {@code L} the longest input of the rows; shorter rows padded with
   * {@code pad} in {@code x} and {@link #IGNORE_INDEX} in {@code y}, prompt targets ignored too.
   */
  public static Batch batchOf(List<Sequence> rows, int pad) {
    int length = 1;
    for (Sequence s : rows) {
      length = Math.max(length, s.inputLength());
    }
    int n = rows.size();
    int[] x = new int[n * length];
    int[] y = new int[n * length];
    Arrays.fill(x, pad);
    Arrays.fill(y, IGNORE_INDEX);
    for (int b = 0; b < n; b++) {
      Sequence s = rows.get(b);
      System.arraycopy(s.ids(), 0, x, b * length, s.inputLength());
      System.arraycopy(s.targets(), 0, y, b * length, s.inputLength());
    }
    return new Batch(Map.of("x", Nd4j.createFromArray(x).reshape(n, length),
        "y", Nd4j.createFromArray(y).reshape(n, length)), n, (long) n * length);
  }

  /** All sequences, in order, in batches of at most {@code size} (for evaluation). */
  public List<Batch> inOrder(int size) {
    List<Batch> out = new ArrayList<>();
    for (int from = 0; from < sequences.size(); from += size) {
      out.add(batchOf(sequences.subList(from, Math.min(sequences.size(), from + size)), pad));
    }
    return out;
  }

  @Override
  public long stepsPerEpoch() {
    return (sequences.size() + batch - 1) / batch;
  }

  public int size() {
    return sequences.size();
  }

  public List<Sequence> sequences() {
    return sequences;
  }

  /** Response tokens (targets that count) over all sequences. */
  public long responseTokens() {
    long n = 0;
    for (Sequence s : sequences) {
      for (int t : s.targets()) {
        if (t != IGNORE_INDEX) {
          n++;
        }
      }
    }
    return n;
  }
}
