package org.genai4j.llm.model;

import org.genai4j.common.train.Batch;
import org.genai4j.common.train.Gradients;
import org.genai4j.common.train.SameDiffGroup;
import org.genai4j.common.train.StandInGroup;

/**
 * The GPT's training group computed by {@link GptKernel} instead of SameDiff. It is the SameDiff
 * group in every other respect: same name, same live parameter arrays (so the optimizer,
 * checkpoints, evaluation and generation see one set of weights) and gradients under the same
 * names.
 */
final class GptKernelGroup extends StandInGroup {
  private final GptKernel kernel;

  GptKernelGroup(GptConfig config, int batch, int time, SameDiffGroup sameDiff) {
    super(sameDiff);
    this.kernel = new GptKernel(config, batch, time, sameDiff.parameters());
  }

  @Override
  public Gradients computeGradients(Batch batch) {
    kernel.bind(parameters());
    double loss = kernel.forwardBackward(batch.get("x"), batch.get("y"));
    return new Gradients(loss, kernel.gradients());
  }

  GptKernel kernel() {
    return kernel;
  }
}
