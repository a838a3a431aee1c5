package org.genai4j.common.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class GradientSumTest {

  @Test
  void sumIntoAddsEveryShardInShardZero() {
    List<Map<String, INDArray>> shards = new ArrayList<>();
    for (int s = 0; s < 3; s++) {
      Map<String, INDArray> g = new LinkedHashMap<>();
      g.put("a", Nd4j.valueArrayOf(new long[] {4, 5}, s + 1.0, DataType.FLOAT));
      g.put("b", Nd4j.valueArrayOf(new long[] {7}, 10.0 * (s + 1), DataType.DOUBLE));
      g.put("c", Nd4j.valueArrayOf(new long[] {2, 2}, -s, DataType.FLOAT));
      shards.add(g);
    }
    // A large array (several pieces and a tail) with random values, a row-block view (dense, added
    // in Java), column views (strided: added by ND4J), and dense arrays beside a strided one.
    Nd4j.getRandom().setSeed(5);
    List<INDArray> big = new ArrayList<>();
    for (int s = 0; s < 3; s++) {
      INDArray r = Nd4j.rand(DataType.FLOAT, 300, 337);
      big.add(r);
      shards.get(s).put("big", r.dup());
      shards.get(s).put("view", Nd4j.rand(DataType.FLOAT, 6, 5).get(NDArrayIndex.interval(1, 4), NDArrayIndex.all()));
      shards.get(s).put("columns", Nd4j.rand(DataType.FLOAT, 6, 5).get(NDArrayIndex.all(), NDArrayIndex.interval(1, 4)));
      shards.get(s).put("mixed", s == 1
          ? Nd4j.rand(DataType.FLOAT, 300, 337).get(NDArrayIndex.all(), NDArrayIndex.interval(0, 200))
          : Nd4j.rand(DataType.FLOAT, 300, 200));
    }
    Map<String, INDArray> expected = new LinkedHashMap<>();
    for (String name : List.of("view", "columns", "mixed")) {
      expected.put(name, shards.get(0).get(name).add(shards.get(1).get(name)).addi(shards.get(2).get(name)));
    }
    GradientSum.sumInto(shards, org.genai4j.common.util.Parallel.of(3));
    INDArray expectedBig = big.get(0).add(big.get(1)).addi(big.get(2));
    assertEquals(0.0, expectedBig.sub(shards.get(0).get("big")).amaxNumber().doubleValue(), 1e-6);
    expected.forEach((name, e) ->
        assertEquals(0.0, e.sub(shards.get(0).get(name)).amaxNumber().doubleValue(), 1e-6, name));
    assertEquals(6.0, shards.get(0).get("a").meanNumber().doubleValue(), 1e-6);
    assertEquals(60.0, shards.get(0).get("b").meanNumber().doubleValue(), 1e-9);
    assertEquals(-3.0, shards.get(0).get("c").meanNumber().doubleValue(), 1e-6);
    assertEquals(2.0, shards.get(1).get("a").meanNumber().doubleValue(), 1e-6, "other shards unchanged");
  }
}
