package org.genai4j.vae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.genai4j.common.ops.Param;
import org.genai4j.common.train.RunDir;
import org.genai4j.common.train.RunFolder;
import org.genai4j.common.train.TrainingResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Training end to end: tiny VAEs learn; resuming equals training straight through; the run folder holds what loading needs. */
class TrainingTest {

  /** {@code n} binary 4x4 images, each a distinct pattern. */
  static INDArray patterns(int n, long seed) {
    Nd4j.getRandom().setSeed(seed);
    INDArray x = Nd4j.rand(DataType.FLOAT, n, 1, 4, 4);
    return x.gt(0.5).castTo(DataType.FLOAT);
  }

  /** {@code n} 8x8 images of one filled rectangle each, on a black background. */
  static INDArray rectangles(int n, long seed) {
    Random r = new Random(seed);
    float[] v = new float[n * 64];
    for (int i = 0; i < n; i++) {
      int top = r.nextInt(5);
      int left = r.nextInt(5);
      int h = 2 + r.nextInt(7 - top);
      int w = 2 + r.nextInt(7 - left);
      for (int y = top; y < Math.min(8, top + h); y++) {
        for (int x = left; x < Math.min(8, left + w); x++) {
          v[i * 64 + y * 8 + x] = 1f;
        }
      }
    }
    return Nd4j.create(v, new long[] {n, 1, 8, 8}, DataType.FLOAT);
  }

  @Test
  void tinyVaeOverfitsAFewImages() {
    INDArray images = patterns(8, 1);
    // Each image 64 times: the ELBO's expectation over the noise, not one draw's (which varies by +-20% here).
    INDArray draws = images.repeat(0, 64);
    VaeConfig config = VaeConfig.mlp(1, 4, 4, List.of(32), 4);
    // The same seed builds the same initial model as the training run.
    double before = VaeEvaluation.evaluate(Vae.create(config, 5), draws, 0, 1).negElbo();
    VaeTrainOptions o = new VaeTrainOptions(300, 8, 2e-2, 5, 0, null, false, false);
    TrainingResult<Vae> r = VaeTraining.train(images, null, config, o);
    assertEquals(300, r.steps());
    Vae vae = r.model();
    VaeEvaluation.Result after = VaeEvaluation.evaluate(vae, draws, 50, 1);
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
  void convVaeLossFallsOnRectangles() {
    INDArray train = rectangles(64, 1);
    INDArray test = rectangles(32, 2);
    VaeConfig config = VaeConfig.conv(1, 8, 8, List.of(4, 8), 2);
    double before = VaeEvaluation.evaluate(Vae.create(config, 3), test, 0, 1).negElbo();
    TrainingResult<Vae> r = VaeTraining.train(train, test, config, new VaeTrainOptions(40, 16, 1e-2, 3, 0, null, false,
        false));
    double after = r.last().evaluation().get("neg_elbo");
    assertEquals(after, VaeEvaluation.evaluate(r.model(), test, 0, 1234).negElbo(), 1e-9,
        "the last record holds the test evaluation");
    // 64 fair coin flips cost 44 nats; a rectangle is four numbers.
    assertTrue(before > 40, "untrained negative ELBO " + before);
    assertTrue(after < 0.6 * before, "test negative ELBO fell only from " + before + " to " + after);
  }

  @Test
  void resumeEqualsStraightRun(@TempDir Path dir) {
    INDArray images = patterns(20, 2);
    // KL warm-up makes the loss depend on the step, which must survive the checkpoint too.
    VaeConfig config = VaeConfig.mlp(1, 4, 4, List.of(16), 3).withBeta(1, 5);
    Path straight = dir.resolve("straight");
    Path resumed = dir.resolve("resumed");
    VaeTrainOptions four = new VaeTrainOptions(4, 8, 1e-2, 17, 2, straight, false, false);
    TrainingResult<Vae> a = VaeTraining.train(images, images, config, four);

    VaeTraining.train(images, images, config, four.withEpochs(2).withOutDir(resumed));
    // Two more epochs change --epochs: accepted with --allow-change and recorded.
    TrainingResult<Vae> r = VaeTraining.train(images, images, config,
        four.withOutDir(resumed).withStart(new RunFolder.Start(true, false, true)));
    assertEquals(6, r.steps(), "the resumed run trains the last 2 epochs of 3 steps");
    Vae b = r.model();
    for (Param p : a.model().params().list()) {
      assertArrayEquals(p.value().toArray(), b.params().get(p.name()).value().toArray(), 0f, p.name());
    }
    assertEquals(a.last().metrics(), r.last().metrics(), "the last step's metrics");
    assertEquals(a.last().evaluation(), r.last().evaluation(), "the last evaluation");

    // The run folder holds what the CLI reads back: the last checkpoint is the final model.
    Vae last = Vae.load(resumed.resolve(RunDir.LAST));
    for (Param p : b.params().list()) {
      assertArrayEquals(p.value().toArray(), last.params().get(p.name()).value().toArray(), 0f, p.name());
    }
    Vae best = Vae.load(resumed);
    Vae bestFolder = Vae.load(resumed.resolve(RunDir.BEST));
    assertArrayEquals(bestFolder.params().get("decoder.2.weight").value().toArray(),
        best.params().get("decoder.2.weight").value().toArray(), 0f, "a run folder loads its best checkpoint");
    for (String f : List.of(RunDir.CONFIG, RunDir.TRAIN, RunDir.METRICS, RunDir.LAST, RunDir.BEST,
        VaePictures.SAMPLES, VaePictures.RECONSTRUCTIONS, VaePictures.INTERPOLATION)) {
      assertTrue(Files.exists(resumed.resolve(f)), "missing " + f);
    }
    assertEquals(config, VaeConfig.fromJson(RunDir.read(resumed, RunDir.CONFIG), "config.json"));
  }
}
