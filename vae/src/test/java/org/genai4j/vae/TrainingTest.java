package org.genai4j.vae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.genai4j.common.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Training end to end: a tiny VAE overfits a few images; resuming equals training straight through. */
class TrainingTest {

  /** {@code n} binary 4x4 images, each a distinct pattern. */
  static INDArray patterns(int n, long seed) {
    Nd4j.getRandom().setSeed(seed);
    INDArray x = Nd4j.rand(DataType.FLOAT, n, 1, 4, 4);
    return x.gt(0.5).castTo(DataType.FLOAT);
  }

  @Test
  void tinyVaeOverfitsAFewImages() {
    INDArray images = patterns(8, 1);
    VaeConfig config = VaeConfig.mlp(1, 4, 4, List.of(32), 4);
    Vae vae = Vae.create(config, 3);
    double before = VaeEvaluation.evaluate(vae, images, 0, 1).negElbo();
    VaeTrainOptions o = new VaeTrainOptions(200, 8, 2e-2, 5, null, false, false);
    VaeTraining.Result r = VaeTraining.train(vae, images, null, o);
    assertEquals(200, r.steps());
    VaeEvaluation.Result after = VaeEvaluation.evaluate(vae, images, 50, 1);
    // 16 fair coin flips cost 11.1 nats; memorizing 8 images costs about log 8 = 2.1 nats of KL.
    assertTrue(before > 10, "untrained negative ELBO " + before);
    assertTrue(after.negElbo() < 0.45 * before, "negative ELBO fell only from " + before + " to " + after);
    assertTrue(after.nllIw() <= after.negElbo() + 0.05, "IW bound " + after.nllIw() + " vs ELBO " + after.negElbo());
    // Reconstructions round to the originals.
    INDArray rec = vae.reconstruct(images).gt(0.5).castTo(DataType.FLOAT);
    double wrong = rec.sub(images).norm1Number().doubleValue();
    assertTrue(wrong <= 4, "reconstructions differ from the training images in " + wrong + " of 128 pixels");
  }

  @Test
  void resumeEqualsStraightRun(@TempDir Path dir) {
    INDArray images = patterns(20, 2);
    // KL warm-up makes the loss depend on the step, which must survive the checkpoint too.
    VaeConfig config = VaeConfig.mlp(1, 4, 4, List.of(16), 3).withBeta(1, 5);
    Path straight = dir.resolve("straight");
    Path resumed = dir.resolve("resumed");
    VaeTrainOptions four = new VaeTrainOptions(4, 8, 1e-2, 17, straight, false, false);
    Vae a = VaeTraining.train(images, images, config, four).model();

    VaeTrainOptions two = new VaeTrainOptions(2, 8, 1e-2, 17, resumed, false, false);
    VaeTraining.train(images, images, config, two);
    VaeTrainOptions rest = new VaeTrainOptions(4, 8, 1e-2, 17, resumed, true, false);
    VaeTraining.Result r = VaeTraining.train(images, images, config, rest);
    assertEquals(6, r.steps(), "the resumed run trains the last 2 epochs of 3 steps");
    Vae b = r.model();
    assertEquals(12, b.trainedSteps());
    Map<String, INDArray> pa = a.parameterGroups().get(0).parameters();
    Map<String, INDArray> pb = b.parameterGroups().get(0).parameters();
    for (String k : pa.keySet()) {
      assertArrayEquals(pa.get(k).dup('c').data().asFloat(), pb.get(k).dup('c').data().asFloat(), 0f, k);
    }
    // The run directory holds what the CLI reads back.
    Vae loaded = Vae.load(resumed);
    assertArrayEquals(pb.get("dec/out/w").dup('c').data().asFloat(),
        loaded.parameterGroups().get(0).parameters().get("dec/out/w").dup('c').data().asFloat(), 0f);
    for (String f : List.of(VaeTraining.CONFIG, VaeTraining.METRICS, Trainer.LAST, Trainer.BEST,
        VaePictures.SAMPLES, VaePictures.RECONSTRUCTIONS, VaePictures.INTERPOLATION)) {
      assertTrue(Files.exists(resumed.resolve(f)), "missing " + f);
    }
  }
}
