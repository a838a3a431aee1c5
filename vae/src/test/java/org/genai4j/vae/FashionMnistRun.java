package org.genai4j.vae;

import java.nio.file.Path;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Measurement run (not a test): trains a VAE on Fashion-MNIST and evaluates it. Args: arch (mlp or
 * conv), epochs, outDir, [iw samples], [latent], [conv channels, e.g. 32,64],
 * [resume].
 */
public final class FashionMnistRun {
  public static void main(String[] args) throws Exception {
    String arch = args.length > 0 ? args[0] : "mlp";
    int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    Path out = Path.of(args.length > 2 ? args[2] : "/tmp/vae-run");
    int iw = args.length > 3 ? Integer.parseInt(args[3]) : 100;
    int latent = args.length > 4 ? Integer.parseInt(args[4]) : 20;
    List<Integer> convChannels = args.length > 5
        ? java.util.Arrays.stream(args[5].split(",")).map(Integer::valueOf).toList() : List.of(32, 64);
    INDArray train = FashionMnistFiles.images("train-images-idx3-ubyte.gz");
    INDArray test = FashionMnistFiles.images("t10k-images-idx3-ubyte.gz");
    VaeConfig config = arch.equals("conv")
        ? VaeConfig.conv(1, 28, 28, convChannels, latent)
        : VaeConfig.mlp(1, 28, 28, List.of(512), latent);
    System.out.println("config " + config + " threads OMP_NUM_THREADS=" + System.getenv("OMP_NUM_THREADS"));
    boolean resume = args.length > 6 && args[6].equals("resume");
    VaeTrainOptions o = VaeTrainOptions.defaults(out).withEpochs(epochs).withProgressBar(false).withResume(resume);
    VaeTraining.Result r = VaeTraining.train(train, test, config, o);
    System.out.printf("trained %d steps in %.1f s: %.0f images/s; last test %s%n", r.steps(), r.seconds(),
        r.imagesPerSecond(), r.test());
    long t0 = System.nanoTime();
    VaeEvaluation.Result e = VaeEvaluation.evaluate(Vae.load(out), test, iw, 7);
    System.out.printf("eval (k=%d) in %.1f s: recon=%.2f kl=%.2f%n", iw, (System.nanoTime() - t0) / 1e9,
        e.reconstruction(), e.kl());
    System.out.println(e);
  }
}
