package org.genai4j.samples.examples;

import java.nio.file.Path;
import org.genai4j.common.eval.FeatureClassifier;
import org.genai4j.common.eval.ImageGrid;
import org.genai4j.datasets.Datasets;
import org.genai4j.datasets.ImageData;
import org.genai4j.datasets.Split;
import org.genai4j.gan.Dcgan;
import org.genai4j.gan.DcganConfig;
import org.genai4j.gan.GanEvaluation;
import org.genai4j.gan.GanTrainOptions;
import org.genai4j.gan.GanTraining;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A DCGAN on Fashion-MNIST, as a library user writes it: train, sample a grid, score with FID.
 * Run: {@code java -cp ... org.genai4j.samples.examples.DcganExample [epochs] [outDir]}.
 */
public final class DcganExample {
  private DcganExample() {}

  public static void main(String[] args) {
    int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 2;
    Path out = Path.of(args.length > 1 ? args[1] : "runs/dcgan-example");

    ImageData train = Datasets.images("fashion-mnist", Split.TRAIN); // [N, 1, 28, 28] in [0, 1]
    ImageData test = Datasets.images("fashion-mnist", Split.TEST);
    Dcgan gan = GanTraining.train(train.images(), null, DcganConfig.fashionMnist(), GanTrainOptions.of(epochs, out))
        .model();                                                    // or later: Dcgan.load(out)

    INDArray samples = gan.generate(100, 1);                         // [100, 1, 28, 28] in [0, 1]
    ImageGrid.write(samples, false, out.resolve("samples.png"));

    FeatureClassifier classifier = FeatureClassifier.loadOrTrain("fashion-mnist",
        FeatureClassifier.Config.defaults(1, 28, 28, 10), train.images(), train.labels());
    System.out.println(GanEvaluation.evaluate(gan, test.images(), classifier, 10_000, 1)); // fid=... classes_min_pct=...
  }
}
