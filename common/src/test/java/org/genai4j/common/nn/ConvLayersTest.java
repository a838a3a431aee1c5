package org.genai4j.common.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ConvLayersTest {

  /** conv2d against a naive loop: out[n,o,i,j] = sum w[a,b,c,o] x[n,c,i*s+a-p,j*s+b-p] + bias. */
  @Test
  void conv2dMatchesNaiveLoop() {
    Nd4j.getRandom().setSeed(1);
    SameDiff sd = SameDiff.create();
    INDArray xa = Nd4j.randn(DataType.DOUBLE, 2, 3, 5, 5);
    SDVariable x = sd.var("x", xa);
    SDVariable y = ConvLayers.conv2d(sd, "c", x, 3, 4, 3, 2, 1, true, 0.5);
    sd.getArrForVarName("c/b").assign(Nd4j.randn(DataType.DOUBLE, 4));
    INDArray out = y.eval();
    assertArrayEquals(new long[] {2, 4, 3, 3}, out.shape());
    INDArray w = sd.getArrForVarName("c/w");
    INDArray b = sd.getArrForVarName("c/b");
    for (int n = 0; n < 2; n++) for (int o = 0; o < 4; o++) for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) {
      double s = b.getDouble(o);
      for (int a = 0; a < 3; a++) for (int bb = 0; bb < 3; bb++) for (int c = 0; c < 3; c++) {
        int r = i * 2 + a - 1, q = j * 2 + bb - 1;
        if (r >= 0 && r < 5 && q >= 0 && q < 5) {
          s += w.getDouble(a, bb, c, o) * xa.getDouble(n, c, r, q);
        }
      }
      assertEquals(s, out.getDouble(n, o, i, j), 1e-9);
    }
  }

  /** deconv2d against the scatter definition: x[n,c,i,j] w[a,b,o,c] adds to out[n,o,i*s+a-p,j*s+b-p]. */
  @Test
  void deconv2dMatchesScatterDefinition() {
    Nd4j.getRandom().setSeed(2);
    SameDiff sd = SameDiff.create();
    INDArray xa = Nd4j.randn(DataType.DOUBLE, 2, 3, 4, 4);
    SDVariable x = sd.var("x", xa);
    SDVariable y = ConvLayers.deconv2d(sd, "d", x, 3, 2, 4, 2, 1, false, 0.5);
    INDArray out = y.eval();
    assertArrayEquals(new long[] {2, 2, 8, 8}, out.shape());
    INDArray w = sd.getArrForVarName("d/w");
    INDArray ref = Nd4j.zeros(DataType.DOUBLE, 2, 2, 8, 8);
    for (int n = 0; n < 2; n++) for (int c = 0; c < 3; c++) for (int i = 0; i < 4; i++) for (int j = 0; j < 4; j++)
      for (int a = 0; a < 4; a++) for (int bb = 0; bb < 4; bb++) for (int o = 0; o < 2; o++) {
        int r = i * 2 + a - 1, q = j * 2 + bb - 1;
        if (r >= 0 && r < 8 && q >= 0 && q < 8) {
          ref.putScalar(new long[] {n, o, r, q}, ref.getDouble(n, o, r, q) + xa.getDouble(n, c, i, j) * w.getDouble(a, bb, o, c));
        }
      }
    assertTrue(ref.equalsWithEps(out, 1e-9), "deconv2d differs from the scatter definition");
  }

  @Test
  void deconvDoublesSevenToFourteen() {
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 8, 7, 7);
    SDVariable y = ConvLayers.deconv2d(sd, "d", x, 8, 4, 4, 2, 1, false, ConvLayers.DCGAN_STD);
    INDArray out = sd.output(Map.of("x", Nd4j.rand(DataType.FLOAT, 3, 8, 7, 7)), y.name()).get(y.name());
    assertArrayEquals(new long[] {3, 4, 14, 14}, out.shape());
  }

  @Test
  void trainingBatchNormNormalizesEachChannelAndReportsStatistics() {
    Nd4j.getRandom().setSeed(3);
    SameDiff sd = SameDiff.create();
    INDArray xa = Nd4j.randn(DataType.DOUBLE, 6, 3, 4, 4).muli(3).addi(5);
    SDVariable x = sd.var("x", xa);
    ConvLayers.BatchNorm bn = ConvLayers.batchNorm(sd, "bn", x, 3, 4, true);
    sd.getArrForVarName("bn/gamma").assign(Nd4j.createFromArray(1.0, 2.0, 3.0));
    sd.getArrForVarName("bn/beta").assign(Nd4j.createFromArray(-1.0, 0.0, 1.0));
    Map<String, INDArray> out = sd.output(Map.of(), bn.output().name(), bn.batchMean().name(), bn.batchVar().name());
    INDArray y = out.get(bn.output().name());
    for (int c = 0; c < 3; c++) {
      INDArray ch = y.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(c));
      assertEquals(c - 1.0, ch.meanNumber().doubleValue(), 1e-9);
      assertEquals((c + 1.0) * (c + 1.0), ch.sub(c - 1.0).mul(ch.sub(c - 1.0)).meanNumber().doubleValue(), 1e-3);
      INDArray xc = xa.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(c));
      assertEquals(xc.meanNumber().doubleValue(), out.get(bn.batchMean().name()).getDouble(c), 1e-9);
      double m = xc.meanNumber().doubleValue();
      assertEquals(xc.sub(m).mul(xc.sub(m)).meanNumber().doubleValue(), out.get(bn.batchVar().name()).getDouble(c), 1e-9);
    }
  }

  @Test
  void inferenceBatchNormUsesRunningStatistics() {
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 2);
    ConvLayers.BatchNorm bn = ConvLayers.batchNorm(sd, "bn", x, 2, 2, false);
    assertNull(bn.batchMean());
    sd.getArrForVarName("bn/running_mean").assign(Nd4j.createFromArray(1f, -2f));
    sd.getArrForVarName("bn/running_var").assign(Nd4j.createFromArray(4f, 0.25f));
    INDArray in = Nd4j.createFromArray(new float[][] {{3f, -2f}});
    INDArray y = sd.output(Map.of("x", in), bn.output().name()).get(bn.output().name());
    assertEquals(1.0, y.getDouble(0, 0), 1e-4);
    assertEquals(0.0, y.getDouble(0, 1), 1e-4);
  }

  @Test
  void updateRunningFollowsPytorch() {
    INDArray rm = Nd4j.zeros(DataType.FLOAT, 2);
    INDArray rv = Nd4j.ones(DataType.FLOAT, 2);
    ConvLayers.updateRunning(rm, rv, Nd4j.createFromArray(1f, 2f), Nd4j.createFromArray(3f, 5f), 4, 0.1);
    assertEquals(0.1, rm.getDouble(0), 1e-6);
    assertEquals(0.2, rm.getDouble(1), 1e-6);
    assertEquals(0.9 + 0.1 * 3 * 4 / 3.0, rv.getDouble(0), 1e-6);
    assertEquals(0.9 + 0.1 * 5 * 4 / 3.0, rv.getDouble(1), 1e-6);
  }

  @Test
  void shareVariablesMakesGraphsSeeTheSameArrays() {
    SameDiff a = SameDiff.create();
    SDVariable xa = a.placeHolder("x", DataType.FLOAT, -1, 2);
    ConvLayers.batchNorm(a, "bn", xa, 2, 2, true);
    SameDiff b = SameDiff.create();
    SDVariable xb = b.placeHolder("x", DataType.FLOAT, -1, 2);
    ConvLayers.batchNorm(b, "bn", xb, 2, 2, false);
    assertEquals(2, ConvLayers.shareVariables(a, b));
    a.getArrForVarName("bn/gamma").assign(7);
    assertEquals(7.0, b.getArrForVarName("bn/gamma").getDouble(1), 0);
  }

  @Test
  void badGeometryIsRejectedWithTheLayerName() {
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 1, 4, 4);
    var e = assertThrows(IllegalArgumentException.class,
        () -> ConvLayers.conv2d(sd, "enc1", x, 1, 4, 3, 0, 1, true, 0));
    assertTrue(e.getMessage().contains("enc1") && e.getMessage().contains("stride=0"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ConvLayers.upsampleConv2d(sd, "up", x, 1, 4, 2, 4, true, 0));
    assertThrows(IllegalArgumentException.class, () -> ConvLayers.batchNorm(sd, "bn", x, 1, 3, true));
  }

  // ---- gradient checks (central differences in DOUBLE) ----

  @Test
  void conv2dGradientsMatchFiniteDifferences() {
    checkGradients((sd, x) -> ConvLayers.conv2d(sd, "c", x, 2, 3, 3, 2, 1, true, 0.3), new long[] {2, 2, 5, 5});
  }

  @Test
  void deconv2dGradientsMatchFiniteDifferences() {
    checkGradients((sd, x) -> ConvLayers.deconv2d(sd, "d", x, 2, 3, 4, 2, 1, true, 0.3), new long[] {2, 2, 3, 3});
  }

  @Test
  void upsampleConvGradientsMatchFiniteDifferences() {
    checkGradients((sd, x) -> ConvLayers.upsampleConv2d(sd, "u", x, 2, 2, 2, 3, true, 0), new long[] {2, 2, 3, 3});
  }

  @Test
  void trainingBatchNormGradientsMatchFiniteDifferences() {
    checkGradients((sd, x) -> {
      SDVariable y = ConvLayers.batchNorm(sd, "bn", x, 2, 4, true).output();
      return y.mul(y); // a nonlinearity after BN so the loss depends on the normalization non-trivially
    }, new long[] {3, 2, 2, 3});
    checkGradients((sd, x) -> ConvLayers.batchNorm(sd, "bn", x, 3, 2, true).output(), new long[] {4, 3});
  }

  /**
   * Builds {@code loss = sum(block(x) * R)} with fixed random R and compares SameDiff's gradient
   * for x and every created variable to central differences.
   */
  private static void checkGradients(BiFunction<SameDiff, SDVariable, SDVariable> block, long[] xShape) {
    Nd4j.getRandom().setSeed(42);
    SameDiff sd = SameDiff.create();
    SDVariable x = sd.var("x", Nd4j.randn(DataType.DOUBLE, xShape));
    SDVariable y = block.apply(sd, x);
    INDArray yArr = y.eval();
    SDVariable r = sd.constant("r", Nd4j.randn(DataType.DOUBLE, yArr.shape()));
    SDVariable loss = y.mul(r).sum().rename("loss");
    sd.setLossVariables(loss);
    List<String> vars = new ArrayList<>();
    for (SDVariable v : sd.variables()) {
      if (v.getVariableType() == VariableType.VARIABLE) {
        // Random gains/biases so that the check does not pass by symmetry.
        v.getArr().addi(Nd4j.randn(DataType.DOUBLE, v.getArr().shape()).muli(0.1));
        vars.add(v.name());
      }
    }
    Map<String, INDArray> grads = Quiet.call(() -> sd.calculateGradients(Map.of(), vars));
    double h = 1e-6;
    for (String name : vars) {
      INDArray p = sd.getArrForVarName(name);
      INDArray g = grads.get(name);
      for (long i = 0; i < p.length(); i++) {
        double v = p.getDouble(i);
        p.putScalar(i, v + h);
        double up = sd.output(Map.of(), "loss").get("loss").getDouble(0);
        p.putScalar(i, v - h);
        double down = sd.output(Map.of(), "loss").get("loss").getDouble(0);
        p.putScalar(i, v);
        double numeric = (up - down) / (2 * h);
        double analytic = g.getDouble(i);
        double err = Math.abs(numeric - analytic) / Math.max(1e-3, Math.abs(numeric) + Math.abs(analytic));
        assertTrue(err < 1e-5, "gradient of " + name + "[" + i + "]: analytic " + analytic + " numeric " + numeric);
      }
    }
  }
}
