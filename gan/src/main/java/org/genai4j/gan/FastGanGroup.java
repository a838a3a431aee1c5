package org.genai4j.gan;

import java.util.LinkedHashMap;
import java.util.Map;
import org.genai4j.common.nn.ConvLayers;
import org.genai4j.common.train.Batch;
import org.genai4j.common.train.Gradients;
import org.genai4j.common.train.StandInGroup;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One network of the DCGAN as a parameter group whose step is computed by {@link DcganKernel}
 * instead of SameDiff. In every other respect it is the SameDiff {@link GanGroup} it wraps: same
 * name, same live parameter arrays, same running-statistics buffers (updated from the batch
 * statistics exactly as there), same loss and metrics. Checkpoints, generation and evaluation keep
 * using the graphs.
 */
final class FastGanGroup extends StandInGroup {
  private final DcganKernel kernel;
  private final boolean discriminator;

  FastGanGroup(GanGroup sameDiff, DcganKernel kernel, boolean discriminator) {
    super(sameDiff);
    this.kernel = kernel;
    this.discriminator = discriminator;
  }

  @Override
  public Gradients computeGradients(Batch batch) {
    INDArray z = batch.get(Dcgan.Z);
    DcganKernel.Step s = discriminator ? kernel.discriminatorStep(batch.get(Dcgan.REAL), z) : kernel.generatorStep(z);
    for (DcganKernel.Stats st : s.stats()) {
      ConvLayers.updateRunning(buffers().get(st.layer() + "/running_mean"), buffers().get(st.layer() + "/running_var"),
          Nd4j.createFromArray(st.mean()), Nd4j.createFromArray(st.var()), st.count(), ConvLayers.BN_MOMENTUM);
    }
    Map<String, Double> metrics = new LinkedHashMap<>();
    if (discriminator) {
      metrics.put(Dcgan.D_REAL, s.dReal());
    }
    metrics.put(Dcgan.D_FAKE, s.dFake());
    return new Gradients(s.loss(), discriminator ? kernel.discriminatorGradients() : kernel.generatorGradients(),
        metrics);
  }
}
