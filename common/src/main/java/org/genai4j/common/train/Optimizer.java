package org.genai4j.common.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.genai4j.common.util.Parallel;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * Updates one parameter group in place at the learning rate the schedule gives for the step:
 * Adam and AdamW with ND4J's arithmetic (bias-corrected with the 1-based step, epsilon outside
 * the correction), in one fused pass per array ({@link AdamStep}) when the arrays are dense FLOAT
 * or DOUBLE, else through ND4J's {@link GradientUpdater}; SGD with classical momentum as PyTorch
 * does ({@code buf = mu * buf + g; p -= lr * buf}; ND4J's Nesterovs is a different method). Its
 * state (Adam's moments m then v, the momentum buffer) is one flat array per parameter, exposed
 * for checkpoints. Gradients are read, never written.
 */
public final class Optimizer {

  private final OptimizerConfig config;
  private final IUpdater updater;
  private final Map<String, GradientUpdater<?>> updaters = new LinkedHashMap<>();
  private final Map<String, INDArray> state = new LinkedHashMap<>();
  /** Fused Adam for the dense parameters; its moments are copied into {@link #state} on demand. */
  private final Map<String, AdamStep> fused = new LinkedHashMap<>();
  private final Parallel parallel;
  private final Map<String, long[]> shapes = new LinkedHashMap<>();

  public Optimizer(OptimizerConfig config, Map<String, INDArray> parameters) {
    this(config, parameters, Parallel.serial());
  }

  /** An optimizer that spreads its parameters' updates over {@code parallel}'s threads. */
  public Optimizer(OptimizerConfig config, Map<String, INDArray> parameters, Parallel parallel) {
    this.config = config;
    this.parallel = parallel;
    this.updater = switch (config.kind()) {
      case ADAM, ADAMW -> new Adam(1e-3, config.beta1(), config.beta2(), config.epsilon());
      case SGD -> null;
    };
    for (var e : parameters.entrySet()) {
      INDArray p = e.getValue();
      shapes.put(e.getKey(), p.shape());
      if (updater == null) {
        if (config.beta1() > 0) {
          state.put(e.getKey(), Nd4j.zeros(p.dataType(), 1, p.length()));
        }
        continue;
      }
      long size = updater.stateSize(p.length());
      INDArray view = size == 0 ? null : Nd4j.zeros(p.dataType(), 1, size);
      if (view != null) {
        state.put(e.getKey(), view);
      }
      if (AdamStep.supports(p)) {
        // Same state layout as ND4J's updater (m then v), so checkpoints are the same either way.
        fused.put(e.getKey(), AdamStep.of(p));
        continue;
      }
      GradientUpdater<?> u = updater.instantiate(view, true);
      if (view != null) {
        u.setStateViewArray(view, p.shape(), 'c', false);
      }
      updaters.put(e.getKey(), u);
    }
  }

  /** The configuration this optimizer was built with. */
  public OptimizerConfig config() {
    return config;
  }

  /** The learning rate at {@code step}. */
  public double lr(long step) {
    return config.schedule().lr(step);
  }

  /** Applies one update: {@code parameters[k] -= update(gradients[k])}. Gradients are not modified. */
  public void step(Map<String, INDArray> parameters, Map<String, INDArray> gradients, long step) {
    step(parameters, gradients, step, 1.0);
  }

  /**
   * Applies one update with every gradient multiplied by {@code gradScale} (the factor of
   * global-norm clipping, applied on the fly so the caller need not scale, or copy, the gradient
   * arrays). Gradients are not modified.
   */
  public void step(Map<String, INDArray> parameters, Map<String, INDArray> gradients, long step, double gradScale) {
    update(parameters, gradients, List.of(), step, gradScale, false);
  }

  /**
   * As {@link #step} without scaling, returning the sum of squares of all gradients (the square
   * of their global norm), taken in the same pass where the fused Adam reads the gradients anyway.
   */
  double stepAndSumOfSquares(Map<String, INDArray> parameters, Map<String, INDArray> gradients, long step) {
    return update(parameters, gradients, List.of(), step, 1.0, true);
  }

  /**
   * As {@link #stepAndSumOfSquares} with the gradient {@code gradients + moreShards[0] + ...}: the
   * other shards' gradients of the batch, which the fused Adam adds in its own pass (in shard order,
   * so the step equals summing them first). Shard arrays are not modified, except that a
   * parameter the fused pass cannot handle gets the others added into {@code gradients}' array.
   */
  double stepAndSumOfSquares(Map<String, INDArray> parameters, Map<String, INDArray> gradients,
      List<Map<String, INDArray>> moreShards, long step) {
    return update(parameters, gradients, moreShards, step, 1.0, true);
  }

  /** Elements of one parameter per piece of work, so one large matrix does not land on one thread. */
  private static final int PIECE = 1 << 16;

  private double update(Map<String, INDArray> parameters, Map<String, INDArray> gradients,
      List<Map<String, INDArray>> moreShards, long step, double gradScale, boolean sumOfSquares) {
    double lr = lr(step);
    if (updater != null) {
      updater.setLrAndSchedule(lr, null);
    }
    List<String> names = new ArrayList<>(parameters.keySet());
    // Per parameter: the other shards' gradient arrays, gathered once for all its pieces.
    List<List<INDArray>> more = new ArrayList<>(names.size());
    List<int[]> pieces = new ArrayList<>(); // {parameter index, from, to, 1 when fused}
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      INDArray p = parameters.get(name);
      INDArray g = gradients.get(name);
      if (g == null) {
        throw new IllegalStateException("no gradient for parameter '" + name + "'");
      }
      if (!java.util.Arrays.equals(g.shape(), p.shape())) {
        throw new IllegalStateException("gradient of '" + name + "' has shape "
            + java.util.Arrays.toString(g.shape()) + ", parameter has "
            + java.util.Arrays.toString(p.shape()));
      }
      int n = (int) p.length();
      more.add(of(moreShards, name));
      boolean fusable = fusable(name, p, g, more.get(i));
      int piece = fusable ? PIECE : Math.max(1, n);
      for (int from = 0; from < n || from == 0; from += piece) {
        pieces.add(new int[] {i, from, Math.min(n, from + piece), fusable ? 1 : 0});
      }
    }
    // Pieces update independently: spread them over the shard threads, then add the sums of
    // squares in piece order so the result does not depend on the thread count.
    double[] sumSqs = new double[pieces.size()];
    long[] sizes = pieces.stream().mapToLong(q -> Math.max(1, q[2] - q[1])).toArray();
    parallel.forEachBalanced(sizes, k -> {
      int[] q = pieces.get(k);
      String name = names.get(q[0]);
      sumSqs[k] = updateOne(name, parameters.get(name), gradients.get(name), more.get(q[0]), q[3] == 1, q[1], q[2],
          step, gradScale, lr, sumOfSquares);
    });
    double sumSq = 0;
    for (double v : sumSqs) {
      sumSq += v;
    }
    return sumSq;
  }

  /**
   * True when the fused Adam updates this parameter in one pass with these gradients (all dense and
   * of the parameter's type), so it can also be split into pieces.
   */
  private boolean fusable(String name, INDArray p, INDArray g, List<INDArray> more) {
    if (!fused.containsKey(name)) {
      return false;
    }
    for (int k = -1; k < more.size(); k++) {
      INDArray a = k < 0 ? g : more.get(k);
      if (a == null || !HostArrays.isDense(a) || a.dataType() != p.dataType()) {
        return false;
      }
    }
    return true;
  }

  /** Shard {@code name}'s arrays of the other shards. */
  private static List<INDArray> of(List<Map<String, INDArray>> moreShards, String name) {
    List<INDArray> more = new ArrayList<>(moreShards.size());
    for (Map<String, INDArray> shard : moreShards) {
      more.add(shard.get(name));
    }
    return more;
  }

  /**
   * Updates elements {@code [from, to)} of one parameter (the whole of it unless {@code fusable}:
   * the fused Adam handles it) with the gradient {@code g + more...}; returns the gradient's sum of
   * squares when asked.
   */
  private double updateOne(String name, INDArray p, INDArray g, List<INDArray> more, boolean fusable, int from,
      int to, long step, double gradScale, double lr, boolean sumOfSquares) {
    // Decoupled weight decay on matrices only, as nanoGPT does (no decay on biases and gains).
    boolean decay = config.kind() == OptimizerConfig.Kind.ADAMW && config.weightDecay() > 0 && p.rank() >= 2;
    AdamStep adam = fused.get(name);
    if (fusable) {
      return adam.apply(p, g, more, from, to, gradScale, config.beta1(), config.beta2(), config.epsilon(), lr,
          step, decay ? config.weightDecay() : 0, sumOfSquares);
    }
    // Whole parameter from here on: the other shards are added into shard 0's array first.
    for (INDArray o : more) {
      g.addi(o);
    }
    double sumSq = 0;
    if (adam != null) {
      if (!HostArrays.isDense(g) || g.dataType() != p.dataType()) {
        g = g.castTo(p.dataType()).dup('c');
      }
      return adam.apply(p, g, gradScale, config.beta1(), config.beta2(), config.epsilon(), lr, step,
          decay ? config.weightDecay() : 0, sumOfSquares);
    }
    if (sumOfSquares) {
      sumSq += GradientClipping.sumOfSquares(g);
    }
    // The general path works on a private copy: ND4J's updater overwrites its input.
    g = g.castTo(p.dataType()).dup('c');
    if (gradScale != 1.0) {
      g.muli(gradScale);
    }
    if (decay) {
      p.muli(1.0 - lr * config.weightDecay());
    }
    if (updater == null) {
      sgdStep(name, p, g, lr);
      return sumSq;
    }
    GradientUpdater<?> u = updaters.get(name);
    // ND4J's Adam takes the 0-based iteration and applies bias correction with (iteration + 1).
    u.applyUpdater(g, (int) Math.min(step, Integer.MAX_VALUE), 0);
    p.subi(g);
    return sumSq;
  }

  private void sgdStep(String name, INDArray p, INDArray g, double lr) {
    INDArray buf = state.get(name);
    if (buf == null) {
      p.subi(g.muli(lr));
      return;
    }
    INDArray b = buf.reshape(p.shape());
    b.muli(config.beta1()).addi(g);
    p.subi(b.mul(lr));
  }

  /**
   * The optimizer's state arrays by parameter name, up to date as of this call (saved and
   * restored by checkpoints; fused Adam keeps its moments in Java arrays and copies them here).
   */
  public Map<String, INDArray> state() {
    fused.forEach((name, adam) -> adam.saveTo(state.get(name)));
    return state;
  }

  /**
   * The state by PyTorch's names, one tensor of the parameter's shape each: {@code <param>.exp_avg}
   * and {@code <param>.exp_avg_sq} for Adam and AdamW, {@code <param>.momentum_buffer} for SGD
   * with momentum. The arrays are views of {@link #state()}'s, up to date as of this call.
   */
  public Map<String, INDArray> namedState() {
    Map<String, INDArray> flat = state();
    Map<String, INDArray> named = new LinkedHashMap<>();
    flat.forEach((name, s) -> {
      long[] shape = shapes.get(name);
      long n = s.length() / stateNames().size();
      List<String> kinds = stateNames();
      for (int i = 0; i < kinds.size(); i++) {
        named.put(name + "." + kinds.get(i),
            s.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0), org.nd4j.linalg.indexing.NDArrayIndex.interval(i * n, (i + 1) * n))
                .reshape('c', shape));
      }
    });
    return named;
  }

  /** Loads state saved by {@link #namedState()}; a named error for a missing or misshaped tensor. */
  public void loadNamedState(Map<String, INDArray> saved) {
    Map<String, INDArray> mine = namedState();
    for (var e : mine.entrySet()) {
      INDArray s = saved.get(e.getKey());
      if (s == null) {
        throw new IllegalArgumentException("checkpoint has no optimizer state '" + e.getKey() + "'");
      }
      if (!java.util.Arrays.equals(s.shape(), e.getValue().shape())) {
        throw new IllegalArgumentException("optimizer state '" + e.getKey() + "' in the checkpoint has shape "
            + java.util.Arrays.toString(s.shape()) + ", expected " + java.util.Arrays.toString(e.getValue().shape()));
      }
      e.getValue().assign(s.castTo(e.getValue().dataType()));
    }
    fused.forEach((name, adam) -> adam.loadFrom(state.get(name)));
  }

  private List<String> stateNames() {
    return updater == null ? List.of("momentum_buffer") : List.of("exp_avg", "exp_avg_sq");
  }

  /** Copies saved state into this optimizer's arrays. */
  public void loadState(Map<String, INDArray> saved) {
    for (var e : state.entrySet()) {
      INDArray s = saved.get(e.getKey());
      if (s == null) {
        throw new IllegalArgumentException("checkpoint has no optimizer state for '" + e.getKey() + "'");
      }
      e.getValue().assign(s.reshape(e.getValue().shape()).castTo(e.getValue().dataType()));
      AdamStep adam = fused.get(e.getKey());
      if (adam != null) {
        adam.loadFrom(e.getValue());
      }
    }
  }

}
