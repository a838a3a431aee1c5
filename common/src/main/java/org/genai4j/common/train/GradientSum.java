package org.genai4j.common.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.genai4j.common.util.Parallel;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Sums the gradients that the shards of one batch computed: the {@link Trainer} splits a batch
 * over threads ({@link Parallel}), each shard fills gradient arrays of its own, and their sum is
 * the batch's gradient.
 */
public final class GradientSum {
  private GradientSum() {}

  /** Elements per piece of work, so one large matrix does not land on one thread. */
  private static final int PIECE = 1 << 15;

  /**
   * Adds every shard's gradients into shard 0's ({@code perShard.get(0)}), in parallel over pieces
   * of the arrays. All maps must have the same names and shapes. Every element is summed in shard
   * order, so the result does not depend on thread timing.
   *
   * @return the sum of squares of the summed gradients (all arrays), taken in the same pass for
   *     gradient clipping's norm; added in piece order, so it does not depend on the threads
   */
  public static double sumInto(List<Map<String, INDArray>> perShard, Parallel parallel) {
    if (perShard.size() < 2) {
      return GradientClipping.sumOfSquares(perShard.get(0).values());
    }
    List<String> names = new ArrayList<>(perShard.get(0).keySet());
    boolean[] inJava = new boolean[names.size()];
    // Per array: the other shards' arrays, gathered once for all its pieces.
    List<List<INDArray>> sources = new ArrayList<>(names.size());
    List<long[]> pieces = new ArrayList<>(); // {array index, from, to}
    for (int a = 0; a < names.size(); a++) {
      inJava[a] = denseAlike(perShard, names.get(a));
      List<INDArray> others = new ArrayList<>(perShard.size() - 1);
      for (int s = 1; s < perShard.size(); s++) {
        others.add(perShard.get(s).get(names.get(a)));
      }
      sources.add(others);
      long len = perShard.get(0).get(names.get(a)).length();
      // Arrays ND4J has to add (views with strides, other types) go whole to one thread.
      long step = inJava[a] ? PIECE : Math.max(1, len);
      for (long from = 0; from < len; from += step) {
        pieces.add(new long[] {a, from, Math.min(len, from + step)});
      }
    }
    long[] sizes = pieces.stream().mapToLong(p -> p[2] - p[1]).toArray();
    double[] squares = new double[pieces.size()];
    parallel.forEachBalanced(sizes, i -> {
      long[] p = pieces.get(i);
      String name = names.get((int) p[0]);
      INDArray target = perShard.get(0).get(name);
      if (inJava[(int) p[0]]) {
        squares[i] = HostArrays.addRange(target, sources.get((int) p[0]), (int) p[1], (int) (p[2] - p[1]));
      } else {
        for (INDArray source : sources.get((int) p[0])) {
          target.addi(source);
        }
        squares[i] = GradientClipping.sumOfSquares(target);
      }
    });
    double sum = 0;
    for (double q : squares) {
      sum += q;
    }
    return sum;
  }

  /** True when every shard's array {@code name} is dense and of shard 0's type. */
  private static boolean denseAlike(List<Map<String, INDArray>> perShard, String name) {
    INDArray first = perShard.get(0).get(name);
    for (Map<String, INDArray> shard : perShard) {
      INDArray a = shard.get(name);
      if (!HostArrays.isDense(a) || a.dataType() != first.dataType()) {
        return false;
      }
    }
    return true;
  }
}
