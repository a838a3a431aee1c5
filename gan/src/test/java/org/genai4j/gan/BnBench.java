package org.genai4j.gan;

import java.util.List;
import java.util.Map;
import org.genai4j.common.nn.ConvLayers;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Scratch: CPU time of batch-norm formulations, forward + backward. */
public final class BnBench {
  public static void main(String[] a) {
    int reps = Integer.parseInt(a[0]);
    for (int round = 0; round < 2; round++) {
      for (String v : new String[] {"current", "folded", "nhwc"}) {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, 64, 64, 14, 14);
        SDVariable g = sd.var("g", Nd4j.ones(DataType.FLOAT, 64));
        SDVariable b = sd.var("b", Nd4j.zeros(DataType.FLOAT, 64));
        SDVariable w = sd.var("w", Nd4j.ones(DataType.FLOAT, 1));
        SDVariable xin = x.mul(w);
        SDVariable y;
        if (v.equals("current")) {
          y = ConvLayers.batchNorm(sd, "bn", xin, 64, 4, true).output();
        } else if (v.equals("folded")) {
          SDVariable mean = xin.mean(true, 0, 2, 3);
          SDVariable var = xin.mul(xin).mean(true, 0, 2, 3).sub(mean.mul(mean));
          SDVariable scale = sd.math.rsqrt(var.add(1e-5)).mul(g.reshape(1, 64, 1, 1));
          SDVariable shift = b.reshape(1, 64, 1, 1).sub(mean.mul(scale));
          y = xin.mul(scale).add(shift);
        } else {
          // channels last: [N*H*W, C] so that every broadcast is along the last axis
          SDVariable t = xin.permute(0, 2, 3, 1).reshape(-1, 64);
          SDVariable mean = t.mean(true, 0);
          SDVariable c = t.sub(mean);
          SDVariable var = c.mul(c).mean(true, 0);
          SDVariable yy = c.mul(sd.math.rsqrt(var.add(1e-5)).mul(g)).add(b);
          y = yy.reshape(64, 14, 14, 64).permute(0, 3, 1, 2);
        }
        SDVariable r = sd.constant("r", Nd4j.rand(DataType.FLOAT, 64, 64, 14, 14));
        y.mul(r).sum().rename("loss");
        sd.setLossVariables("loss");
        Map<String, INDArray> ph = Map.of("x", Nd4j.randn(DataType.FLOAT, 64, 64, 14, 14));
        sd.calculateGradients(ph, List.of("w", "g", "b"));
        long c0 = GanBench.processCpuNanos();
        long t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) {
          sd.calculateGradients(ph, List.of("w", "g", "b"));
        }
        System.out.printf("%-8s cpu %.1f ms  wall %.1f ms%n", v, (GanBench.processCpuNanos() - c0) / 1e6 / reps,
            (System.nanoTime() - t0) / 1e6 / reps);
      }
    }
  }
}
