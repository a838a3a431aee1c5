package org.genai4j.common.testing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.genai4j.common.util.Quiet;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Finite-difference gradient check for SameDiff graphs, for every module's tests. Compares the
 * gradients from {@code calculateGradients} with central differences {@code (L(x+e) - L(x-e)) /
 * 2e} of the scalar loss, element by element, in double precision (build the graph in {@link
 * DataType#DOUBLE}: float round-off swamps a finite difference).
 *
 * <pre>{@code
 * GradientCheck.of(sd, "loss", placeholders).variables("l1/w", "l1/b").assertCorrect();
 * }</pre>
 */
public final class GradientCheck {

  private final SameDiff sd;
  private final String loss;
  private final Map<String, INDArray> placeholders;
  private List<String> variables = List.of();
  private double epsilon = 1e-6;
  private double maxRelError = 1e-5;
  private double minAbsError = 1e-9;
  private int maxElementsPerVariable = 200;
  private long seed = 12345;

  private GradientCheck(SameDiff sd, String loss, Map<String, INDArray> placeholders) {
    this.sd = sd;
    this.loss = loss;
    this.placeholders = placeholders;
  }

  /** A check of the scalar {@code loss} of {@code sd} at the given placeholder values. */
  public static GradientCheck of(SameDiff sd, String loss, Map<String, INDArray> placeholders) {
    if (sd.getVariable(loss) == null) {
      throw new IllegalArgumentException("graph has no loss variable '" + loss + "'");
    }
    return new GradientCheck(sd, loss, placeholders);
  }

  /**
   * A check of a {@link org.genai4j.common.train.SameDiffGroup}'s loss on {@code batch}, over the
   * group's parameters (build the model in DOUBLE).
   */
  public static GradientCheck of(org.genai4j.common.train.SameDiffGroup group, org.genai4j.common.train.Batch batch) {
    return of(group.sameDiff(), group.lossName(), group.placeholderValues(batch)).variables(group.parameterNames());
  }

  /** The variables to check (default: every trainable variable of the graph). */
  public GradientCheck variables(String... names) {
    this.variables = List.of(names);
    return this;
  }

  public GradientCheck variables(Collection<String> names) {
    this.variables = List.copyOf(names);
    return this;
  }

  /** Step of the central difference (default 1e-6). */
  public GradientCheck epsilon(double e) {
    this.epsilon = e;
    return this;
  }

  /**
   * Largest accepted {@code |analytic - numeric| / max(|analytic|, |numeric|)} (default 1e-5);
   * elements where both are below {@code minAbsError} (default 1e-9) in absolute terms pass.
   */
  public GradientCheck tolerance(double maxRelError, double minAbsError) {
    this.maxRelError = maxRelError;
    this.minAbsError = minAbsError;
    return this;
  }

  /** Checks at most this many (randomly chosen) elements per variable (default 200). */
  public GradientCheck maxElementsPerVariable(int n) {
    this.maxElementsPerVariable = n;
    return this;
  }

  /** The worst element found for one variable. */
  public record VariableResult(String variable, long checked, long failed, long worstIndex,
      double analytic, double numeric, double relError) {}

  /** Runs the check and returns one result per variable, without asserting. */
  public List<VariableResult> run() {
    List<String> names = variables.isEmpty() ? trainable() : variables;
    for (String v : names) {
      SDVariable var = sd.getVariable(v);
      if (var == null) {
        throw new IllegalArgumentException("graph has no variable '" + v + "'");
      }
      if (var.getArr() == null || var.getArr().dataType() != DataType.DOUBLE) {
        throw new IllegalArgumentException("variable '" + v + "' is "
            + (var.getArr() == null ? "not an array variable" : var.getArr().dataType())
            + "; build the graph in DataType.DOUBLE for a gradient check");
      }
    }
    // Copied at once: later forward passes may reuse SameDiff's arrays.
    Map<String, INDArray> grads = new java.util.HashMap<>();
    Quiet.call(() -> sd.calculateGradients(placeholders, names)).forEach((k, g) -> grads.put(k, g.dup('c')));
    Random rng = new Random(seed);
    List<VariableResult> results = new ArrayList<>();
    for (String v : names) {
      INDArray arr = sd.getArrForVarName(v);
      INDArray grad = grads.get(v);
      if (grad == null) {
        throw new IllegalStateException("SameDiff returned no gradient for '" + v + "' (is the loss connected to it?)");
      }
      if (!java.util.Arrays.equals(arr.shape(), grad.shape())) {
        throw new IllegalStateException("gradient of '" + v + "' has shape " + java.util.Arrays.toString(grad.shape())
            + " but the variable has " + java.util.Arrays.toString(arr.shape()));
      }
      INDArray flat = arr; // linear (c-order) indexing writes into the variable itself
      INDArray gflat = grad;
      long n = arr.length();
      long[] idx = pick(n, rng);
      long failed = 0;
      long worst = -1;
      double worstErr = -1, worstA = 0, worstN = 0;
      for (long i : idx) {
        double orig = flat.getDouble(i);
        flat.putScalar(i, orig + epsilon);
        double plus = lossValue();
        flat.putScalar(i, orig - epsilon);
        double minus = lossValue();
        flat.putScalar(i, orig);
        double numeric = (plus - minus) / (2 * epsilon);
        double analytic = gflat.getDouble(i);
        double absErr = Math.abs(analytic - numeric);
        double rel = absErr < minAbsError ? 0 : absErr / Math.max(Math.abs(analytic), Math.abs(numeric));
        if (rel > maxRelError) {
          failed++;
        }
        if (rel > worstErr) {
          worstErr = rel;
          worst = i;
          worstA = analytic;
          worstN = numeric;
        }
      }
      results.add(new VariableResult(v, idx.length, failed, worst, worstA, worstN, worstErr));
    }
    return results;
  }

  /** Runs the check; throws an {@link AssertionError} naming each failing variable and its worst element. */
  public List<VariableResult> assertCorrect() {
    List<VariableResult> results = run();
    StringBuilder msg = new StringBuilder();
    for (VariableResult r : results) {
      if (r.failed() > 0) {
        long[] shape = sd.getArrForVarName(r.variable()).shape();
        msg.append(String.format("%n  '%s' %s: %d of %d elements off; worst at %s: analytic %.8g, numeric %.8g,"
                + " relative error %.3g (tolerance %.1g)", r.variable(), java.util.Arrays.toString(shape),
            r.failed(), r.checked(), java.util.Arrays.toString(unravel(r.worstIndex(), shape)),
            r.analytic(), r.numeric(), r.relError(), maxRelError));
      }
    }
    if (msg.length() > 0) {
      throw new AssertionError("gradient check of '" + loss + "' failed:" + msg);
    }
    return results;
  }

  private double lossValue() {
    return sd.output(placeholders, loss).get(loss).getDouble(0);
  }

  private List<String> trainable() {
    List<String> out = new ArrayList<>();
    for (SDVariable v : sd.variables()) {
      if (v.getVariableType() == org.nd4j.autodiff.samediff.VariableType.VARIABLE) {
        out.add(v.name());
      }
    }
    return out;
  }

  private long[] pick(long n, Random rng) {
    if (n <= maxElementsPerVariable) {
      long[] all = new long[(int) n];
      for (int i = 0; i < n; i++) {
        all[i] = i;
      }
      return all;
    }
    return rng.longs(maxElementsPerVariable, 0, n).distinct().toArray();
  }

  private static long[] unravel(long flat, long[] shape) {
    long[] out = new long[shape.length];
    for (int d = shape.length - 1; d >= 0; d--) {
      out[d] = flat % shape[d];
      flat /= shape[d];
    }
    return out;
  }
}
