package org.genai4j.vae;

import java.nio.file.Path;

/** Measurement helper (not a test): evaluates a run directory on the Fashion-MNIST test split. Args: runDir, k. */
public final class EvalRun {
  public static void main(String[] args) throws Exception {
    Vae vae = Vae.load(Path.of(args[0]));
    int k = Integer.parseInt(args[1]);
    long t0 = System.nanoTime();
    VaeEvaluation.Result r = VaeEvaluation.evaluate(vae, FashionMnistFiles.images("t10k-images-idx3-ubyte.gz"), k, 7);
    System.out.printf("eval (k=%d, %d images) in %.1f s: recon=%.2f kl=%.2f%n", k, r.images(),
        (System.nanoTime() - t0) / 1e9, r.reconstruction(), r.kl());
    System.out.println(r);
  }
}
