package org.genai4j.samples.examples;

import java.nio.file.Path;
import java.util.List;
import org.genai4j.common.train.TrainingResult;
import org.genai4j.datasets.Datasets;
import org.genai4j.datasets.ImageData;
import org.genai4j.datasets.Split;
import org.genai4j.vae.Vae;
import org.genai4j.vae.VaeConfig;
import org.genai4j.vae.VaeEvaluation;
import org.genai4j.vae.VaeTrainOptions;
import org.genai4j.vae.VaeTraining;

/**
 * An MLP VAE on Fashion-MNIST, as a library user writes it: train, load the run's best model, then
 * the test ELBO and the importance-weighted bound. Run: {@code java -cp ... org.genai4j.samples.examples.VaeExample
 * [epochs] [outDir]}.
 */
public final class VaeExample {
  private VaeExample() {}

  public static void main(String[] args) {
    int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    Path out = Path.of(args.length > 1 ? args[1] : "runs/vae-example");

    ImageData train = Datasets.images("fashion-mnist", Split.TRAIN);
    ImageData test = Datasets.images("fashion-mnist", Split.TEST);
    VaeConfig config = VaeConfig.mlp(1, 28, 28, List.of(512), 20); // 784-512-20-512-784, Bernoulli
    TrainingResult<Vae> trained = VaeTraining.train(train.images(), test.images(), config,
        VaeTrainOptions.defaults(out).withEpochs(epochs)); // the run folder also gets reconstructions, samples, interpolation
    System.out.printf("%d steps, %.0f images/s%n", trained.steps(), trained.unitsPerSecond());

    Vae vae = Vae.load(out); // the epoch with the best test negative ELBO
    VaeEvaluation.Result r = VaeEvaluation.evaluate(vae, test.images(), 100, 1);
    System.out.println(r); // neg_elbo=... nll_iw=...
  }
}
