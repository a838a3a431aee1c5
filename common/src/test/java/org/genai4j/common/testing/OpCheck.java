package org.genai4j.common.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.genai4j.common.ops.Layer;
import org.genai4j.common.ops.Param;
import org.genai4j.common.ops.StepContext;
import org.genai4j.common.ops.Tensor;

/**
 * Checks an op ({@link Layer}) three ways, for every op's test:
 * <ol>
 *   <li>its output against a plain double-precision {@link Reference} of the same function;
 *   <li>its input and parameter gradients (for the loss {@code L = sum r_i y_i} with fixed random
 *       {@code r}) against central differences of that double reference, which are exact to
 *       about 1e-9, so a wrong backward pass cannot hide behind float noise;
 *   <li>the same gradients against central differences of the op itself, in float, with a step
 *       and a tolerance loose enough for float round-off: the op's backward agrees with its own
 *       forward.
 * </ol>
 *
 * <pre>{@code
 * OpCheck.of(linear, x, (in, p) -> ...plain loops over doubles...).assertCorrect();
 * }</pre>
 */
public final class OpCheck {

  /** The op's function in double precision: the output from the input and the parameter values by name. */
  @FunctionalInterface
  public interface Reference {
    double[] forward(double[] x, Map<String, double[]> params);
  }

  private final Layer layer;
  private final Tensor x;
  private final Reference reference;
  private List<Param> params;
  private StepContext ctx = StepContext.training(7, 3);
  private double tolerance = 1e-4;
  private double floatStep = 1e-2;
  private double floatTolerance = 2e-2;
  private boolean inputGradient = true;
  private int samplesPerTensor = 40;

  private OpCheck(Layer layer, Tensor x, Reference reference) {
    this.layer = layer;
    this.x = x;
    this.reference = reference;
    this.params = layer.params();
  }

  public static OpCheck of(Layer layer, Tensor x, Reference reference) {
    return new OpCheck(layer, x, reference);
  }

  /** The parameters to check (default: the layer's own). */
  public OpCheck params(List<Param> p) {
    this.params = p;
    return this;
  }

  /** The context of the forward and backward passes (default: training, one shard). */
  public OpCheck context(StepContext c) {
    this.ctx = c;
    return this;
  }

  /** Allowed error against the double reference, relative to {@code 1 + |expected|} (default 1e-4). */
  public OpCheck tolerance(double t) {
    this.tolerance = t;
    return this;
  }

  /** Step and relative tolerance of the float finite differences (default 1e-2 and 2e-2). */
  public OpCheck floatDifferences(double step, double tol) {
    this.floatStep = step;
    this.floatTolerance = tol;
    return this;
  }

  /** Whether the layer computes its input's gradient (default yes; when not, backward must return null). */
  public OpCheck inputGradient(boolean on) {
    this.inputGradient = on;
    return this;
  }

  /** Elements checked by finite differences per tensor (default 40, spread evenly). */
  public OpCheck samplesPerTensor(int n) {
    this.samplesPerTensor = n;
    return this;
  }

  public void assertCorrect() {
    double[] xs = x.toDoubles();
    Map<String, double[]> ps = values();
    // 1. Forward against the reference.
    float[] y = layer.forward(ctx, x).toArray();
    double[] yRef = reference.forward(xs, ps);
    assertEquals(yRef.length, y.length, "output length");
    assertClose("output", yRef, toDoubles(y), tolerance);

    // 2. Analytic gradients of L = sum r_i y_i.
    double[] r = new double[y.length];
    Random rng = new Random(11);
    float[] rf = new float[y.length];
    for (int i = 0; i < r.length; i++) {
      rf[i] = (float) (rng.nextDouble() * 2 - 1);
      r[i] = rf[i];
    }
    params.forEach(Param::zeroGrad);
    Tensor dx = layer.backward(ctx, Tensor.of(rf, layer.forward(ctx, x).shape()));
    Map<String, double[]> analytic = new LinkedHashMap<>();
    if (inputGradient) {
      analytic.put("input", dx.toDoubles());
    } else {
      assertNull(dx, "the layer was built without its input gradient, backward must return null");
    }
    for (Param p : params) {
      if (p.requiresGrad()) {
        analytic.put(p.name(), p.grad().toDoubles());
      }
    }

    // 3. Central differences of the double reference, and 4. of the float op itself.
    for (var e : analytic.entrySet()) {
      String name = e.getKey();
      double[] g = e.getValue();
      double[] target = name.equals("input") ? xs : ps.get(name);
      Tensor live = name.equals("input") ? x : param(name).value();
      List<String> errors = new ArrayList<>();
      for (int i : sample(target.length)) {
        double keep = target[i];
        double h = 1e-6 * Math.max(1, Math.abs(keep));
        target[i] = keep + h;
        double up = dot(r, reference.forward(xs, ps));
        target[i] = keep - h;
        double down = dot(r, reference.forward(xs, ps));
        target[i] = keep;
        double expected = (up - down) / (2 * h);
        if (Math.abs(g[i] - expected) > tolerance * (1 + Math.abs(expected))) {
          errors.add(name + "[" + i + "]: backward " + g[i] + ", reference differences " + expected);
        }
        float kf = live.get(i);
        float hf = (float) (floatStep * Math.max(1, Math.abs(kf)));
        live.set(i, kf + hf);
        double upF = dot(r, layer.forward(ctx, x).toArray());
        live.set(i, kf - hf);
        double downF = dot(r, layer.forward(ctx, x).toArray());
        live.set(i, kf);
        double expectedF = (upF - downF) / (2.0 * hf);
        if (Math.abs(g[i] - expectedF) > floatTolerance * (1 + Math.abs(expectedF))) {
          errors.add(name + "[" + i + "]: backward " + g[i] + ", the op's own float differences " + expectedF);
        }
      }
      if (!errors.isEmpty()) {
        fail("gradient of " + name + " is wrong at " + errors.size() + " elements, e.g. "
            + errors.subList(0, Math.min(5, errors.size())));
      }
    }
  }

  private Map<String, double[]> values() {
    Map<String, double[]> m = new LinkedHashMap<>();
    for (Param p : params) {
      m.put(p.name(), p.value().toDoubles());
    }
    return m;
  }

  private Param param(String name) {
    return params.stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
  }

  private int[] sample(int n) {
    int k = Math.min(n, samplesPerTensor);
    int[] idx = new int[k];
    for (int j = 0; j < k; j++) {
      idx[j] = (int) ((long) j * n / k);
    }
    return idx;
  }

  private static double dot(double[] r, double[] y) {
    double s = 0;
    for (int i = 0; i < r.length; i++) {
      s += r[i] * y[i];
    }
    return s;
  }

  private static double dot(double[] r, float[] y) {
    double s = 0;
    for (int i = 0; i < r.length; i++) {
      s += r[i] * y[i];
    }
    return s;
  }

  private static double[] toDoubles(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  /** Fails unless {@code actual} is within {@code tol * (1 + |expected|)} of {@code expected} everywhere. */
  public static void assertClose(String what, double[] expected, double[] actual, double tol) {
    assertEquals(expected.length, actual.length, what + ": length");
    for (int i = 0; i < expected.length; i++) {
      if (!(Math.abs(expected[i] - actual[i]) <= tol * (1 + Math.abs(expected[i])))) {
        fail(what + "[" + i + "] is " + actual[i] + ", expected " + expected[i] + " (tolerance " + tol + ")");
      }
    }
  }
}
