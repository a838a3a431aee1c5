package org.genai4j.gan;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.factory.Nd4j;

/** Measurement helper (not a test): D's big convolution (forward and backward) in NCHW vs NHWC. */
public final class LayoutBench {
  public static void main(String[] args) {
    for (String fmt : new String[] {"NCHW", "NHWC", "NCHW", "NHWC"}) {
      boolean nchw = fmt.equals("NCHW");
      Conv2DConfig cfg = Conv2DConfig.builder().kH(4).kW(4).sH(2).sW(2).pH(1).pW(1).dataFormat(fmt).build();
      INDArray x = nchw ? Nd4j.randn(DataType.FLOAT, 64, 64, 14, 14) : Nd4j.randn(DataType.FLOAT, 64, 14, 14, 64);
      INDArray w = Nd4j.randn(DataType.FLOAT, 4, 4, 64, 128);
      INDArray y = nchw ? Nd4j.create(DataType.FLOAT, 64, 128, 7, 7) : Nd4j.create(DataType.FLOAT, 64, 7, 7, 128);
      INDArray gx = x.like(), gw = w.like();
      long[] iArgs = new Conv2D(new INDArray[0], new INDArray[0], cfg).iArgs().clone();
      Runnable fwd = () -> {
        DynamicCustomOp o = new DynamicCustomOp("conv2d", new INDArray[] {x, w}, new INDArray[] {y});
        o.addIArgument(iArgs);
        Nd4j.exec(o);
      };
      Runnable bwd = () -> {
        DynamicCustomOp o = new DynamicCustomOp("conv2d_bp", new INDArray[] {x, w, y}, new INDArray[] {gx, gw});
        o.addIArgument(iArgs);
        Nd4j.exec(o);
      };
      ConvOpBench.time(fmt + " conv2 fwd N=64", fwd);
      ConvOpBench.time(fmt + " conv2 bp N=64", bwd);
    }
    System.out.println("load " + org.genai4j.common.util.Threads.loadAverage());
  }
}
