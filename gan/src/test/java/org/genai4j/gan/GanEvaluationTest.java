package org.genai4j.gan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class GanEvaluationTest {

  /** Squared distance of the feature means: a stand-in for the Frechet distance with the same plumbing. */
  static double meanDistance(INDArray a, INDArray b) {
    INDArray d = a.mean(0).sub(b.mean(0));
    return d.mul(d).sumNumber().doubleValue();
  }

  /** "Class" = brightness bucket of the image. */
  static INDArray predict(INDArray images) {
    INDArray mean = images.reshape(images.size(0), -1).mean(1);
    return mean.mul(4).castTo(DataType.INT32).reshape(-1);
  }

  @Test
  void fidIsNearTheFloorForRealImagesAndFarForShiftedOnes() {
    Nd4j.getRandom().setSeed(1);
    INDArray real = Nd4j.rand(DataType.FLOAT, 400, 1, 4, 4);
    INDArray good = Nd4j.rand(DataType.FLOAT, 300, 1, 4, 4);
    INDArray bad = good.mul(0.5);
    var features = (java.util.function.Function<INDArray, INDArray>) x -> x.reshape(x.size(0), -1);
    var s1 = GanEvaluation.evaluate(good, real, features, GanEvaluationTest::meanDistance, GanEvaluationTest::predict, 4);
    var s2 = GanEvaluation.evaluate(bad, real, features, GanEvaluationTest::meanDistance, GanEvaluationTest::predict, 4);
    assertEquals(200, s1.samples());
    assertTrue(s1.fid() < 3 * s1.realFloor() + 0.01, s1.toString());
    assertTrue(s2.fid() > 10 * s1.fid(), s2 + " vs " + s1);
    assertTrue(s2.summaryLine().startsWith("fid="), s2.summaryLine());
    assertEquals(100.0, java.util.Arrays.stream(s2.classPercent()).sum(), 1e-9);
  }

  @Test
  void classHistogramFromIndicesOrScores() {
    assertArrayEquals(new double[] {25, 75, 0}, GanEvaluation.classHistogram(Nd4j.createFromArray(1, 0, 1, 1), 3), 1e-9);
    INDArray scores = Nd4j.createFromArray(new float[][] {{0.1f, 0.9f}, {0.8f, 0.2f}});
    assertArrayEquals(new double[] {50, 50}, GanEvaluation.classHistogram(scores, 2), 1e-9);
    assertThrows(IllegalArgumentException.class, () -> GanEvaluation.classHistogram(Nd4j.createFromArray(5), 3));
  }
}
