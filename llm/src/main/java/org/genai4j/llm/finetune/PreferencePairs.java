package org.genai4j.llm.finetune;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.genai4j.common.train.Batch;
import org.genai4j.common.train.BatchSource;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Batches of preference pairs for {@link DpoTraining}: each pair is the Alpaca prompt followed by
 * the chosen response and by the rejected one, two {@link InstructionBatches.Sequence}s encoded
 * and masked as instruction tuning does it, with the frozen reference model's log-probabilities of
 * both, computed once beforehand.
 *
 * <p>A batch of {@code P} pairs pads all {@code 2P} sequences to the longest of them ({@link
 * InstructionBatches#batchOf}) and lays each pair out as one row, chosen then rejected: ids {@code
 * x} and targets {@code y} are {@code [P, 2L]}, which read row-major are {@code [2P, L]} with the
 * chosen sequence of pair {@code i} at row {@code 2i} and the rejected one at {@code 2i + 1}; so
 * the trainer can split a batch over shards by pairs. {@code ref} {@code [P, 2]} holds the
 * reference log-probabilities (chosen, rejected). The throughput unit is the input token.
 */
public final class PreferencePairs implements BatchSource {
  private static final int MAX_WARNINGS = 3;

  /** A prompt with its chosen and its rejected response, tokenized. */
  public record Pair(InstructionBatches.Sequence chosen, InstructionBatches.Sequence rejected) {}

  private final List<Pair> pairs;
  private final double[][] reference;
  private final int batch;
  private final int pad;

  /**
   * Pairs drawn {@code batch} at a time at random (with replacement), padded with {@code pad};
   * {@code reference[i]} holds the reference model's log-probabilities of pair {@code i}'s chosen
   * and rejected responses ({@link DpoTraining#logProbs}).
   */
  public PreferencePairs(List<Pair> pairs, double[][] reference, int batch, int pad) {
    if (pairs.isEmpty()) {
      throw new IllegalArgumentException("no preference pairs to train on");
    }
    if (reference.length != pairs.size()) {
      throw new IllegalArgumentException("need the reference log-probabilities of each of " + pairs.size()
          + " pairs, got " + reference.length);
    }
    if (batch < 1) {
      throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
    }
    this.pairs = List.copyOf(pairs);
    this.reference = reference.clone();
    this.batch = batch;
    this.pad = pad;
  }

  /**
   * The pairs of the preference {@code records} of split {@code split}: the Alpaca prompt with each
   * response ({@link InstructionBatches.Encoder#encode(String, String, String, Consumer)}). At most
   * three truncation warnings go to {@code warnings}, then one line counting the rest.
   */
  public static List<Pair> encode(InstructionBatches.Encoder encoder, String split, List<InstructionRecord> records,
      Consumer<String> warnings) {
    List<Pair> out = new ArrayList<>(records.size());
    int[] warned = {0};
    Consumer<String> capped = line -> {
      if (warned[0]++ < MAX_WARNINGS) {
        warnings.accept(line);
      }
    };
    for (int i = 0; i < records.size(); i++) {
      InstructionRecord r = records.get(i);
      if (!r.hasPreference()) {
        throw new IllegalArgumentException(split + " record " + i + " has no \"chosen\" and \"rejected\" responses;"
            + " preference tuning needs both");
      }
      String prompt = AlpacaPrompt.prompt(r);
      out.add(new Pair(encoder.encode(prompt, AlpacaPrompt.response(r.chosen()), split + " record " + i + " (chosen)",
          capped), encoder.encode(prompt, AlpacaPrompt.response(r.rejected()), split + " record " + i + " (rejected)",
          capped)));
    }
    if (warned[0] > MAX_WARNINGS) {
      warnings.accept("warning: " + (warned[0] - MAX_WARNINGS) + " more " + split + " sequences were cut to "
          + (encoder.maxInputs() + 1) + " tokens");
    }
    return out;
  }

  @Override
  public Batch next(Random rng) {
    int[] rows = new int[batch];
    for (int b = 0; b < batch; b++) {
      rows[b] = rng.nextInt(pairs.size());
    }
    return batchOf(rows);
  }

  /** The batch of pairs {@code rows}, in this order, with their reference log-probabilities. */
  public Batch batchOf(int[] rows) {
    List<Pair> picked = new ArrayList<>(rows.length);
    double[][] ref = new double[rows.length][];
    for (int b = 0; b < rows.length; b++) {
      picked.add(pairs.get(rows[b]));
      ref[b] = reference[rows[b]].clone();
    }
    return batchOf(picked, ref, pad);
  }

  /** The batch of {@code pairs} ({@code x}, {@code y} {@code [P, 2L]}, and {@code ref} {@code [P, 2]} when given). */
  public static Batch batchOf(List<Pair> pairs, double[][] reference, int pad) {
    List<InstructionBatches.Sequence> sequences = new ArrayList<>(2 * pairs.size());
    for (Pair p : pairs) {
      sequences.add(p.chosen());
      sequences.add(p.rejected());
    }
    Batch flat = InstructionBatches.batchOf(sequences, pad);
    int n = pairs.size();
    long length = flat.get("x").size(1);
    Map<String, org.nd4j.linalg.api.ndarray.INDArray> arrays = new java.util.HashMap<>();
    arrays.put("x", flat.get("x").reshape(n, 2 * length));
    arrays.put("y", flat.get("y").reshape(n, 2 * length));
    if (reference != null) {
      arrays.put("ref", Nd4j.createFromArray(reference));
    }
    return new Batch(arrays, n, flat.units());
  }

  @Override
  public long stepsPerEpoch() {
    return (pairs.size() + batch - 1) / batch;
  }

  public int size() {
    return pairs.size();
  }

  public List<Pair> pairs() {
    return pairs;
  }
}
