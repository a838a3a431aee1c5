package org.genai4j.gan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.genai4j.common.eval.FeatureClassifier;
import org.genai4j.common.eval.FidScore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** FID and class coverage of a model's samples, against a small classifier of two kinds of synthetic images. */
class GanEvaluationTest {
  private static final DcganConfig C = DcganTest.tiny(28, 1);
  private static INDArray real;
  private static FeatureClassifier classifier;

  /** Class 0: a bright left half; class 1: a bright right half; both with noise. */
  static INDArray halves(int n, long seed, int[] labels) {
    Nd4j.getRandom().setSeed(seed);
    INDArray x = Nd4j.rand(DataType.FLOAT, n, 1, 28, 28).muli(0.3);
    for (int i = 0; i < n; i++) {
      int k = i % 2;
      labels[i] = k;
      x.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(14 * k, 14 * k + 14))
          .addi(0.7);
    }
    return x;
  }

  @BeforeAll
  static void trainClassifier() {
    int[] labels = new int[400];
    real = halves(400, 1, labels);
    classifier = FeatureClassifier.train(new FeatureClassifier.Config(1, 28, 28, 2, 4, 4, 16, 2, 50, 3e-3, 5),
        real, labels);
    assertTrue(classifier.accuracy(real, labels) > 0.95, "the classifier tells the halves apart");
  }

  @Test
  void anUntrainedGeneratorIsFarFromTheRealImagesAndRealImagesAreNot() {
    Dcgan untrained = new Dcgan(C, 3);
    GanEvaluation.Scores s = GanEvaluation.evaluate(untrained, real, classifier, 200, 4);
    assertEquals(200, s.samples());
    double floor = FidScore.of(classifier, real.get(NDArrayIndex.interval(0, 200)),
        real.get(NDArrayIndex.interval(200, 400))).fid();
    assertTrue(s.fid() > 10 * floor + 0.01, "generated " + s.fid() + " vs real-vs-real " + floor);
    assertEquals(1.0, Arrays.stream(s.score().classFractions()).sum(), 1e-9);
    assertTrue(s.toString().matches("fid=[0-9.]+ classes_min_pct=[0-9.]+"), s.toString());
    assertEquals(s.toString(), GanEvaluation.evaluate(untrained, real, classifier, 200, 4).toString(),
        "the same seed scores the same samples");
  }

  @Test
  void badInputIsNamed() {
    Dcgan m = new Dcgan(C, 3);
    var e = assertThrows(IllegalArgumentException.class,
        () -> GanEvaluation.evaluate(m, Nd4j.rand(DataType.FLOAT, 10, 3, 28, 28), classifier, 20, 1));
    assertTrue(e.getMessage().contains("real images") && e.getMessage().contains("[N, 1, 28, 28]"), e.getMessage());
    var e2 = assertThrows(IllegalArgumentException.class, () -> GanEvaluation.evaluate(m, real, classifier, 1, 1));
    assertTrue(e2.getMessage().contains("samples"), e2.getMessage());
  }
}
