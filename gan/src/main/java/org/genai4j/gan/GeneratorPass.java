package org.genai4j.gan;

import java.util.Arrays;
import java.util.List;
import org.genai4j.common.ops.Param;
import org.genai4j.common.ops.StepContext;
import org.genai4j.common.ops.Tensor;

/**
 * What one replica's last generator pass in training mode was computed from: the step, the
 * shard's rows, its noise and, on the shard that checks them, a copy of G's parameter values. The
 * G step reuses that pass only when all of them are unchanged, so reusing gives exactly what
 * running G again would give.
 */
final class GeneratorPass {
  private boolean valid;
  private long seed;
  private long step;
  private int shards;
  private int firstRow;
  private float[] noise = new float[0];
  /** G's parameter values at the pass, when this replica checks them; null otherwise. */
  private float[][] weights;
  private float[] scratch = new float[0];

  /** Remembers the pass just run on {@code noise}; {@code generatorParams} (may be empty) are copied for the check. */
  void record(StepContext ctx, Tensor noise, List<Param> generatorParams) {
    valid = ctx.training();
    seed = ctx.seed();
    step = ctx.step();
    shards = ctx.shards();
    firstRow = ctx.firstRow();
    this.noise = noise.toArray();
    if (generatorParams.isEmpty()) {
      weights = null;
      return;
    }
    if (weights == null || weights.length != generatorParams.size()) {
      weights = new float[generatorParams.size()][];
    }
    for (int i = 0; i < weights.length; i++) {
      Tensor v = generatorParams.get(i).value();
      if (weights[i] == null || weights[i].length != v.length()) {
        weights[i] = new float[v.length()];
      }
      v.read(0, weights[i], 0, v.length());
    }
  }

  /** Forgets the pass (its activations were overwritten, e.g. by sampling). */
  void forget() {
    valid = false;
  }

  /**
   * True when the remembered pass ran in training mode in this step, on the same rows of the batch
   * and the same noise, and {@code generatorParams} (checked when not empty) still hold the values
   * it ran with, bit for bit.
   */
  boolean matches(StepContext ctx, Tensor noiseNow, List<Param> generatorParams) {
    if (!valid || !ctx.training() || seed != ctx.seed() || step != ctx.step() || shards != ctx.shards()
        || firstRow != ctx.firstRow() || !Arrays.equals(noise, noiseNow.toArray())) {
      return false;
    }
    if (generatorParams.isEmpty()) {
      return true;
    }
    if (weights == null || weights.length != generatorParams.size()) {
      return false;
    }
    for (int i = 0; i < weights.length; i++) {
      Tensor v = generatorParams.get(i).value();
      if (v.length() != weights[i].length) {
        return false;
      }
      if (scratch.length < v.length()) {
        scratch = new float[v.length()];
      }
      v.read(0, scratch, 0, v.length());
      if (!Arrays.equals(scratch, 0, v.length(), weights[i], 0, v.length())) {
        return false;
      }
    }
    return true;
  }
}
