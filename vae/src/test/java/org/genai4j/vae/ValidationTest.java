package org.genai4j.vae;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.genai4j.common.train.Checkpoint;
import org.genai4j.common.train.RunDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Invalid configurations and inputs fail early with messages that name the problem. */
class ValidationTest {

  static final VaeConfig.Arch MLP = VaeConfig.Arch.MLP;
  static final VaeConfig.Arch CONV = VaeConfig.Arch.CONV;
  static final VaeConfig.Likelihood B = VaeConfig.Likelihood.BERNOULLI;
  static final VaeConfig.Likelihood GF = VaeConfig.Likelihood.GAUSSIAN_FIXED;
  static final VaeConfig.Likelihood GL = VaeConfig.Likelihood.GAUSSIAN_LEARNED;

  static void fails(String expected, Executable e) {
    IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
    assertTrue(ex.getMessage().contains(expected), "message '" + ex.getMessage() + "' should mention '" + expected + "'");
  }

  @Test
  void badConfigs() {
    fails("latent", () -> new VaeConfig(MLP, 1, 28, 28, List.of(512), 0, B, 0, 1, 0));
    fails("hidden", () -> new VaeConfig(MLP, 1, 28, 28, List.of(512, 0), 20, B, 0, 1, 0));
    fails("input shape", () -> new VaeConfig(MLP, 0, 28, 28, List.of(512), 20, B, 0, 1, 0));
    fails("divisible by 8", () -> new VaeConfig(CONV, 1, 28, 28, List.of(8, 16, 32), 20, B, 0, 1, 0));
    fails("at least one convolution", () -> new VaeConfig(CONV, 1, 28, 28, List.of(), 20, B, 0, 1, 0));
    fails("gaussianStd > 0", () -> new VaeConfig(MLP, 1, 28, 28, List.of(512), 20, GF, 0, 1, 0));
    fails("only used with GAUSSIAN_FIXED", () -> new VaeConfig(MLP, 1, 28, 28, List.of(512), 20, B, 0.1, 1, 0));
    fails("only used with GAUSSIAN_FIXED", () -> new VaeConfig(MLP, 1, 28, 28, List.of(512), 20, GL, 0.1, 1, 0));
    fails("beta", () -> new VaeConfig(MLP, 1, 28, 28, List.of(512), 20, B, 0, -1, 0));
    fails("klWarmupSteps", () -> new VaeConfig(MLP, 1, 28, 28, List.of(512), 20, B, 0, 1, -5));
    fails("no effect with beta=0", () -> new VaeConfig(MLP, 1, 28, 28, List.of(512), 20, B, 0, 0, 100));
    fails("likelihood", () -> new VaeConfig(MLP, 1, 28, 28, List.of(512), 20, null, 0, 1, 0));
    fails("epochs", () -> new VaeTrainOptions(0, 128, 1e-3, 1, 0, null, false, false));
    fails("batchSize", () -> new VaeTrainOptions(1, 0, 1e-3, 1, 0, null, false, false));
    fails("learningRate", () -> new VaeTrainOptions(1, 128, 0, 1, 0, null, false, false));
    fails("threads", () -> new VaeTrainOptions(1, 128, 1e-3, 1, -1, null, false, false));
    fails("resume needs the output directory", () -> new VaeTrainOptions(1, 128, 1e-3, 1, 0, null, true, false));
    fails("does not hold a VAE configuration", () -> VaeConfig.fromJson("{\"vocab\": 65}", "gpt/config.json"));
  }

  @Test
  void klWarmupRisesLinearlyToBeta() {
    VaeConfig c = VaeConfig.mlp(1, 4, 4, List.of(8), 2).withBeta(2, 4);
    assertTrue(Math.abs(c.klWeight(0) - 0.5) < 1e-12 && Math.abs(c.klWeight(3) - 2) < 1e-12
        && c.klWeight(100) == 2, "warm-up weights " + c.klWeight(0) + " " + c.klWeight(3));
  }

  @Test
  void badInputs(@TempDir Path dir) {
    VaeConfig c = VaeConfig.mlp(1, 4, 4, List.of(8), 2);
    VaeTrainOptions o = new VaeTrainOptions(1, 4, 1e-3, 1, 0, null, false, false);
    fails("[N, 1, 4, 4]", () -> VaeTraining.train(Nd4j.rand(DataType.FLOAT, 5, 1, 5, 4), null, c, o));
    fails("pixels in [0,1]", () -> VaeTraining.train(Nd4j.rand(DataType.FLOAT, 5, 1, 4, 4).muli(255), null, c, o));
    Vae vae = Vae.create(c, 1);
    fails("[N, 2]", () -> vae.decode(Nd4j.rand(DataType.FLOAT, 3, 5)));
    fails("latent size 2", () -> VaePictures.manifold(Vae.create(VaeConfig.mlp(1, 4, 4, List.of(8), 3), 1), 4,
        dir.resolve("m.png")));
    fails("run folder not found", () -> Vae.load(dir.resolve("nothing-here")));
    fails("importance samples", () -> VaeEvaluation.evaluate(vae, Nd4j.rand(DataType.FLOAT, 2, 1, 4, 4), -1, 1));
    fails("number of samples", () -> vae.sample(0, 1));
  }

  @Test
  void runFolders(@TempDir Path dir) {
    VaeConfig c = VaeConfig.mlp(1, 4, 4, List.of(8), 2);
    INDArray images = TrainingTest.patterns(6, 1);
    Path run = dir.resolve("run");
    VaeTrainOptions o = new VaeTrainOptions(1, 4, 1e-3, 1, 0, run, false, false);
    VaeTraining.train(images, null, c, o);
    fails("already holds a run", () -> VaeTraining.train(images, null, c, o));
    fails("--resume: --hidden changed from [8] to [9]; pass --allow-change", () -> VaeTraining.train(images, null,
        VaeConfig.mlp(1, 4, 4, List.of(9), 2), o.withResume(true)));
    fails("holds no checkpoint", () -> VaeTraining.train(images, null, c, o.withOutDir(dir.resolve("none"))
        .withResume(true)));
    Vae.load(run); // the refused runs left the run loadable
    fails("no checkpoint in", () -> Vae.load(dir));
  }

  @Test
  void aCheckpointWithAMissingOrMisshapedTensorIsNamed(@TempDir Path dir) {
    VaeConfig c = VaeConfig.mlp(1, 4, 4, List.of(8), 2);
    Path run = dir.resolve("run");
    VaeTraining.train(TrainingTest.patterns(6, 1), null, c, new VaeTrainOptions(1, 4, 1e-3, 1, 0, run, false, false));
    Path last = run.resolve(RunDir.LAST);
    Checkpoint saved = Checkpoint.read(last);

    Map<String, INDArray> missing = new LinkedHashMap<>(saved.model());
    missing.remove("decoder.2.bias");
    withModel(saved, missing).write(last);
    fails("no parameter 'decoder.2.bias'", () -> Vae.load(run));

    Map<String, INDArray> misshaped = new LinkedHashMap<>(saved.model());
    misshaped.put("encoder.0.weight", Nd4j.zeros(DataType.FLOAT, 8, 15));
    withModel(saved, misshaped).write(last);
    fails("'encoder.0.weight' has shape [8, 15] but the model expects [8, 16]", () -> Vae.load(run));

    new Checkpoint(saved.step(), saved.seed(), "{\"vocab\": 65}", saved.values(), saved.model(), saved.optimizer())
        .write(last);
    fails("does not hold a VAE configuration", () -> Vae.load(run));
  }

  private static Checkpoint withModel(Checkpoint c, Map<String, INDArray> model) {
    return new Checkpoint(c.step(), c.seed(), c.configJson(), c.values(), model, c.optimizer());
  }
}
