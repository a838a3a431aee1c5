package org.genai4j.llm.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.genai4j.common.train.Batch;
import org.genai4j.common.train.Gradients;
import org.genai4j.common.train.SameDiffGroup;
import org.genai4j.common.train.StandInGroup;
import org.genai4j.common.train.GradientSum;
import org.genai4j.common.util.Shards;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The GPT's training group computed by {@link GptKernel} instead of SameDiff. It is the SameDiff
 * group in every other respect: same name, same live parameter arrays (so the optimizer,
 * checkpoints, evaluation and generation see one set of weights) and gradients under the same
 * names.
 *
 * <p>The batch's sequences are split over {@link Shards#countFor} threads, one kernel each (the
 * weights are only read); their gradients, each already divided by the whole batch's token count,
 * are summed into the first kernel's.
 */
final class GptKernelGroup extends StandInGroup {
  private final GptConfig config;
  private final int batch;
  private final int time;
  private GptKernel[] kernels = new GptKernel[0];
  private int[] bounds;

  GptKernelGroup(GptConfig config, int batch, int time, SameDiffGroup sameDiff) {
    super(sameDiff);
    this.config = config;
    this.batch = batch;
    this.time = time;
    shard(Shards.countFor(batch));
  }

  /** (Re)builds one kernel per shard when the shard count changed. */
  private void shard(int shards) {
    if (kernels.length == shards) {
      return;
    }
    bounds = Shards.bounds(batch, shards);
    kernels = new GptKernel[shards];
    for (int s = 0; s < shards; s++) {
      kernels[s] = new GptKernel(config, bounds[s + 1] - bounds[s], time, batch, parameters());
    }
  }

  @Override
  public Gradients computeGradients(Batch b) {
    shard(Shards.countFor(batch));
    int vocab = config.vocabSize();
    int[] x = GptKernel.ids(b.get("x"), "x", batch, time, vocab);
    int[] y = GptKernel.ids(b.get("y"), "y", batch, time, vocab);
    double[] losses = new double[kernels.length];
    Map<String, INDArray> params = parameters();
    Shards.run(kernels.length, s -> {
      kernels[s].bind(params);
      losses[s] = kernels[s].forwardBackward(x, y, bounds[s]);
    });
    List<Map<String, INDArray>> grads = new ArrayList<>(kernels.length);
    double loss = 0;
    for (int s = 0; s < kernels.length; s++) {
      grads.add(kernels[s].gradients());
      loss += losses[s];
    }
    GradientSum.sumInto(grads);
    return new Gradients(loss, kernels[0].gradients());
  }

  /** The first shard's kernel (all of the batch when there is one shard), for profiling. */
  GptKernel kernel() {
    return kernels[0];
  }
}
