package org.genai4j.common.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.genai4j.common.util.Parallel;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The optimizer's pass that adds the other shards' gradients itself must step exactly as summing
 * them first ({@link GradientSum}) and then stepping does, on any thread count, in pieces of large
 * parameters or whole small ones.
 */
class FusedShardSumTest {

  private static Map<String, INDArray> arrays(long seed, DataType type) {
    Nd4j.getRandom().setSeed(seed);
    Map<String, INDArray> m = new LinkedHashMap<>();
    m.put("w", Nd4j.randn(type, 300, 517)); // several 64K pieces and a tail
    m.put("b", Nd4j.randn(type, 517));
    m.put("v", Nd4j.randn(type, 3, 1, 7));
    return m;
  }

  private static Map<String, INDArray> dup(Map<String, INDArray> m) {
    Map<String, INDArray> d = new LinkedHashMap<>();
    m.forEach((k, v) -> d.put(k, v.dup('c')));
    return d;
  }

  @Test
  void fusedSumStepsExactlyAsSummingFirst() {
    for (DataType type : List.of(DataType.FLOAT, DataType.DOUBLE)) {
      for (int threads : new int[] {1, 2, 3}) {
        Map<String, INDArray> p1 = arrays(1, type);
        Map<String, INDArray> p2 = dup(p1);
        OptimizerConfig adamW = OptimizerConfig.adamW(LrSchedule.constant(1e-2), 0.9, 0.95, 0.1);
        Optimizer summedFirst = new Optimizer(adamW, p1, Parallel.of(threads));
        Optimizer fused = new Optimizer(adamW, p2, Parallel.of(threads));
        for (long step = 0; step < 3; step++) {
          Map<String, INDArray> g0 = arrays(10 + step, type);
          Map<String, INDArray> g1 = arrays(20 + step, type);
          Map<String, INDArray> g2 = arrays(30 + step, type);
          Map<String, INDArray> h0 = dup(g0);
          double summedSquares = GradientSum.sumInto(List.of(h0, dup(g1), dup(g2)), Parallel.of(threads));
          double a = summedFirst.stepAndSumOfSquares(p1, h0, step);
          double b = fused.stepAndSumOfSquares(p2, g0, List.of(g1, g2), step);
          assertEquals(a, b, 1e-9 * a, "sum of squares, " + type + ", " + threads + " threads");
          assertEquals(a, summedSquares, 1e-9 * a, "the shards' sum pass takes the same sum of squares");
          for (String name : p1.keySet()) {
            assertArrayEquals(p1.get(name).data().asDouble(), p2.get(name).data().asDouble(), 0.0,
                name + " after step " + step + ", " + type + ", " + threads + " threads");
          }
        }
      }
    }
  }
}
