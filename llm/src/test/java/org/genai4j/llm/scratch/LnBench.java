package org.genai4j.llm.scratch;

import java.util.*;
import org.genai4j.common.nn.Quiet;
import org.nd4j.autodiff.samediff.*;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

public class LnBench {
  static double run(String kind) {
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder("x", DataType.FLOAT, 768, 128);
    SDVariable w = sd.var("w", Nd4j.randn(DataType.FLOAT, 128, 128).muli(0.1));
    SDVariable g = sd.var("g", Nd4j.ones(DataType.FLOAT, 128));
    SDVariable b = sd.var("b", Nd4j.zeros(DataType.FLOAT, 128));
    SDVariable h = x.mmul(w);
    SDVariable y;
    for (int i = 0; i < 4; i++) {
      switch (kind) {
        case "builtin" -> h = sd.nn.layerNorm(h, g, b, false, 1);
        case "manual" -> {
          SDVariable mean = h.mean(true, 1);
          SDVariable xc = h.sub(mean);
          SDVariable var = xc.mul(xc).mean(true, 1);
          h = xc.mul(sd.math.rsqrt(var.add(1e-5))).mul(g).add(b);
        }
        case "standardize" -> h = sd.math.standardize(h, 1).mul(g).add(b);
        case "gelu" -> h = sd.nn.gelu(h);
        case "pgelu" -> h = sd.nn.preciseGelu(h);
        case "sgelu" -> h = h.mul(sd.nn.sigmoid(h.mul(1.702)));
      }
    }
    SDVariable loss = h.mul(h).mean();
    Map<String, INDArray> ph = Map.of("x", Nd4j.randn(DataType.FLOAT, 768, 128));
    List<String> params = List.of("w", "g", "b");
    Quiet.run(() -> sd.calculateGradientsAndOutputs(ph, List.of(loss.name()), params));
    for (int i = 0; i < 5; i++) sd.calculateGradientsAndOutputs(ph, List.of(loss.name()), params);
    long t0 = System.nanoTime();
    for (int i = 0; i < 30; i++) sd.calculateGradientsAndOutputs(ph, List.of(loss.name()), params);
    return (System.nanoTime() - t0) / 1e6 / 30;
  }
  public static void main(String[] a) {
    for (int rep = 0; rep < 2; rep++)
      for (String k : new String[] {"builtin", "manual", "standardize", "gelu", "pgelu", "sgelu"})
        System.err.printf("%-12s %.2f ms%n", k, run(k));
  }
}
