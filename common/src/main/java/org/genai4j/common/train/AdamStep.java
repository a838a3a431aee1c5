package org.genai4j.common.train;

import java.lang.ref.Reference;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Adam (or AdamW) for one dense FLOAT or DOUBLE parameter array, in one pass: the same arithmetic
 * as ND4J's native {@code AdamUpdater} op (epsilon outside the bias correction, bias correction
 * with the 1-based step), fused with the gradient scale of global-norm clipping, the decoupled
 * weight decay and {@code p -= update}.
 *
 * <p>Why: ND4J's op costs about 10 ns per element here, and {@code p.subi(update)} and the
 * clipping scale were extra passes: about 8 ms of a 40 ms step of the 835k-parameter MLP VAE.
 * The moments live in Java arrays and the parameter and gradient are copied a chunk at a time
 * into scratch arrays indexed like the parameter, so the loop runs over plain arrays, which the
 * JIT vectorizes (a loop over the native buffers themselves measured twice as slow), and each
 * chunk is still in the core's cache when the update reads it. The gradients of a batch's other
 * shards can be added in the same pass, in shard order, as {@link GradientSum} would add them.
 * The optimizer copies the moments into its checkpoint state arrays on demand ({@link #saveTo},
 * {@link #loadFrom}). The gradient is never written, so the trainer can pass the model's own
 * gradient arrays without copying them.
 */
abstract class AdamStep {

  final int length;

  private AdamStep(int length) {
    this.length = length;
  }

  /** True when {@link #of} can handle parameter {@code p}. */
  static boolean supports(INDArray p) {
    return HostArrays.isDense(p);
  }

  /** Zero moments for parameter {@code p} (dense FLOAT or DOUBLE). */
  static AdamStep of(INDArray p) {
    if (!supports(p)) {
      throw new IllegalArgumentException("fused Adam needs a dense FLOAT or DOUBLE parameter, got " + p.dataType());
    }
    int n = (int) p.length();
    return p.dataType() == DataType.FLOAT ? new Floats(n) : new Doubles(n);
  }

  /**
   * {@code p = p * keep - alpha_t * m / (sqrt(v) + eps)} with the moments m, v updated from
   * {@code g * gradScale}; {@code alpha_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t)}, t = step + 1;
   * {@code keep = 1 - lr * decay} (decoupled weight decay, 0 for none). {@code g} must be dense
   * and of p's type. One difference from ND4J: there a zero {@code alpha_t} (lr = 0) is replaced
   * by epsilon; here lr = 0 leaves the parameters unchanged.
   *
   * @return the sum of squares of {@code g} (unscaled) when {@code sumOfSquares}, else 0: the
   *     trainer's gradient norm, read from the copy this pass makes anyway
   */
  final double apply(INDArray p, INDArray g, double gradScale, double beta1, double beta2, double eps,
      double lr, long step, double decay, boolean sumOfSquares) {
    return apply(p, g, List.of(), 0, length, gradScale, beta1, beta2, eps, lr, step, decay, sumOfSquares);
  }

  /**
   * As {@link #apply(INDArray, INDArray, double, double, double, double, double, long, double, boolean)}
   * with the gradient {@code g + more[0] + more[1] + ...} (added in that order, in p's type): the
   * other shards' gradients of the same batch, summed in this pass instead of a pass of their own;
   * and only elements {@code [from, to)}, so that threads can share one large parameter. Every
   * array in {@code more} must be dense and of p's type.
   */
  final double apply(INDArray p, INDArray g, List<INDArray> more, int from, int to, double gradScale,
      double beta1, double beta2, double eps, double lr, long step, double decay, boolean sumOfSquares) {
    if (from < 0 || to > length || from > to) {
      throw new IllegalArgumentException("elements [" + from + ", " + to + ") outside a parameter of " + length);
    }
    double t = (double) step + 1;
    double alpha = lr * Math.sqrt(1 - Math.pow(beta2, t)) / (1 - Math.pow(beta1, t));
    double ss = update(p, g, more, from, to, gradScale, beta1, beta2, eps, alpha, 1.0 - lr * decay, sumOfSquares);
    // The NIO buffers do not hold the arrays; ND4J frees an array's memory when it is collected.
    Reference.reachabilityFence(p);
    Reference.reachabilityFence(g);
    Reference.reachabilityFence(more);
    return ss;
  }

  /** Elements copied and updated at a time: a chunk of each array stays in the core's cache. */
  static final int CHUNK = 4096;

  abstract double update(INDArray p, INDArray g, List<INDArray> more, int start, int end, double scale,
      double b1, double b2, double eps, double alpha, double keep, boolean sumOfSquares);

  /** Writes m then v into {@code state} (length 2n), the layout of ND4J's AdamUpdater state. */
  abstract void saveTo(INDArray state);

  /** Reads m then v from {@code state}. */
  abstract void loadFrom(INDArray state);

  private static final class Floats extends AdamStep {
    /**
     * Copies of the parameter, the gradient and another shard's gradient, per thread, indexed as
     * the parameter is: every array of the loop then has the same index, which C2 needs to vectorize
     * it (chunks copied to the start of small arrays measured 7x slower).
     */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[3][0]);
    private final float[] m;
    private final float[] v;

    Floats(int n) {
      super(n);
      m = new float[n];
      v = new float[n];
    }

    @Override
    double update(INDArray param, INDArray grad, List<INDArray> more, int start, int end, double scale,
        double b1d, double b2d, double epsd, double alphad, double keepd, boolean sumOfSquares) {
      float[][] scratch = SCRATCH.get();
      if (scratch[0].length < length) {
        scratch[0] = new float[length];
        scratch[1] = new float[length];
      }
      // The third array only when other shards' gradients come along (a large model's embedding
      // makes each of these hundreds of MB).
      if (!more.isEmpty() && scratch[2].length < length) {
        scratch[2] = new float[length];
      }
      float[] p = scratch[0];
      float[] g = scratch[1];
      float[] other = scratch[2];
      FloatBuffer pb = HostArrays.floats(param);
      int po = HostArrays.offset(param);
      FloatBuffer gb = HostArrays.floats(grad);
      int go = HostArrays.offset(grad);
      FloatBuffer[] mb = HostArrays.floats(more);
      int[] mo = HostArrays.offsets(more);
      float s = (float) scale;
      float b1 = (float) b1d;
      float b2 = (float) b2d;
      float c1 = 1 - b1;
      float c2 = 1 - b2;
      float eps = (float) epsd;
      float alpha = (float) alphad;
      float keep = (float) keepd;
      double ss = 0;
      for (int from = start; from < end; from += CHUNK) {
        int to = Math.min(end, from + CHUNK);
        int len = to - from;
        pb.get(po + from, p, from, len);
        gb.get(go + from, g, from, len);
        for (int k = 0; k < mb.length; k++) {
          HostArrays.addChunk(g, other, from, len, mb[k], mo[k] + from);
        }
        if (sumOfSquares) {
          ss += HostArrays.sumOfSquares(g, from, to);
        }
        if (s != 1f) {
          for (int i = from; i < to; i++) {
            g[i] *= s;
          }
        }
        if (keep != 1f) {
          for (int i = from; i < to; i++) {
            p[i] *= keep;
          }
        }
        for (int i = from; i < to; i++) {
          float gi = g[i];
          float mi = b1 * m[i] + gi * c1;
          float vi = b2 * v[i] + gi * gi * c2;
          m[i] = mi;
          v[i] = vi;
          p[i] -= mi * alpha / ((float) Math.sqrt(vi) + eps);
        }
        pb.put(po + from, p, from, len);
      }
      return ss;
    }

    @Override
    void saveTo(INDArray state) {
      FloatBuffer b = HostArrays.floats(state);
      int o = HostArrays.offset(state);
      b.put(o, m, 0, length);
      b.put(o + length, v, 0, length);
      Reference.reachabilityFence(state);
    }

    @Override
    void loadFrom(INDArray state) {
      FloatBuffer b = HostArrays.floats(state);
      int o = HostArrays.offset(state);
      b.get(o, m, 0, length);
      b.get(o + length, v, 0, length);
      Reference.reachabilityFence(state);
    }
  }

  private static final class Doubles extends AdamStep {
    /** As {@link Floats}' scratch arrays. */
    private static final ThreadLocal<double[][]> SCRATCH = ThreadLocal.withInitial(() -> new double[3][0]);
    private final double[] m;
    private final double[] v;

    Doubles(int n) {
      super(n);
      m = new double[n];
      v = new double[n];
    }

    @Override
    double update(INDArray param, INDArray grad, List<INDArray> more, int start, int end, double scale,
        double b1, double b2, double eps, double alpha, double keep, boolean sumOfSquares) {
      double[][] scratch = SCRATCH.get();
      if (scratch[0].length < length) {
        scratch[0] = new double[length];
        scratch[1] = new double[length];
      }
      if (!more.isEmpty() && scratch[2].length < length) {
        scratch[2] = new double[length];
      }
      double[] p = scratch[0];
      double[] g = scratch[1];
      double[] other = scratch[2];
      DoubleBuffer pb = HostArrays.doubles(param);
      int po = HostArrays.offset(param);
      DoubleBuffer gb = HostArrays.doubles(grad);
      int go = HostArrays.offset(grad);
      DoubleBuffer[] mb = HostArrays.doubles(more);
      int[] mo = HostArrays.offsets(more);
      double c1 = 1 - b1;
      double c2 = 1 - b2;
      double ss = 0;
      for (int from = start; from < end; from += CHUNK) {
        int to = Math.min(end, from + CHUNK);
        int len = to - from;
        pb.get(po + from, p, from, len);
        gb.get(go + from, g, from, len);
        for (int k = 0; k < mb.length; k++) {
          HostArrays.addChunk(g, other, from, len, mb[k], mo[k] + from);
        }
        if (sumOfSquares) {
          ss += HostArrays.sumOfSquares(g, from, to);
        }
        for (int i = from; i < to; i++) {
          double gi = g[i] * scale;
          double mi = b1 * m[i] + gi * c1;
          double vi = b2 * v[i] + gi * gi * c2;
          m[i] = mi;
          v[i] = vi;
          p[i] = p[i] * keep - mi * alpha / (Math.sqrt(vi) + eps);
        }
        pb.put(po + from, p, from, len);
      }
      return ss;
    }

    @Override
    void saveTo(INDArray state) {
      DoubleBuffer b = HostArrays.doubles(state);
      int o = HostArrays.offset(state);
      b.put(o, m, 0, length);
      b.put(o + length, v, 0, length);
      Reference.reachabilityFence(state);
    }

    @Override
    void loadFrom(INDArray state) {
      DoubleBuffer b = HostArrays.doubles(state);
      int o = HostArrays.offset(state);
      b.get(o, m, 0, length);
      b.get(o + length, v, 0, length);
      Reference.reachabilityFence(state);
    }
  }
}
