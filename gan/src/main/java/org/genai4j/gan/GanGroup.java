package org.genai4j.gan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.genai4j.common.nn.ConvLayers;
import org.genai4j.common.nn.Quiet;
import org.genai4j.common.train.Batch;
import org.genai4j.common.train.Gradients;
import org.genai4j.common.train.ParameterGroup;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One network of a GAN as a parameter group: a SameDiff graph holding both networks and this
 * network's loss, from which it asks gradients only for the variables named {@code <name>/...},
 * so a step of this group never changes the other network. Batch-norm running statistics (held as
 * variables of an inference graph) are its buffers, updated from each batch's statistics.
 */
final class GanGroup implements ParameterGroup {
  private final String name;
  private final SameDiff sd;
  private final String loss;
  private final List<String> metrics;
  private final List<DcganNetworks.BnStats> stats;
  private final List<String> paramNames = new ArrayList<>();
  private final Map<String, INDArray> params = new LinkedHashMap<>();
  private final Map<String, INDArray> buffers = new LinkedHashMap<>();
  private final List<String> outputs = new ArrayList<>();
  private boolean built;

  /**
   * @param metrics names of scalar graph variables logged as metrics
   * @param stats training-mode batch norms whose statistics update the running ones in {@code inference}
   */
  GanGroup(String name, SameDiff sd, String loss, List<String> metrics, List<DcganNetworks.BnStats> stats,
      SameDiff inference) {
    this.name = name;
    this.sd = sd;
    this.loss = loss;
    this.metrics = List.copyOf(metrics);
    this.stats = List.copyOf(stats);
    for (SDVariable v : sd.variables()) {
      if (v.getVariableType() == VariableType.VARIABLE && v.name().startsWith(name + "/")) {
        paramNames.add(v.name());
        params.put(v.name(), v.getArr());
      }
    }
    if (paramNames.isEmpty()) {
      throw new IllegalArgumentException("graph has no variables named " + name + "/...");
    }
    for (DcganNetworks.BnStats s : stats) {
      buffers.put(s.layer() + "/running_mean", inference.getArrForVarName(s.layer() + "/running_mean"));
      buffers.put(s.layer() + "/running_var", inference.getArrForVarName(s.layer() + "/running_var"));
    }
    outputs.add(loss);
    outputs.addAll(metrics);
    for (DcganNetworks.BnStats s : stats) {
      outputs.add(s.mean().name());
      outputs.add(s.var().name());
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Map<String, INDArray> parameters() {
    return params;
  }

  @Override
  public Map<String, INDArray> buffers() {
    return buffers;
  }

  @Override
  public Gradients computeGradients(Batch batch) {
    Map<String, INDArray> ph = new LinkedHashMap<>();
    for (String p : sd.inputs()) {
      ph.put(p, batch.get(p));
    }
    OutAndGrad og;
    if (!built) {
      og = Quiet.call(() -> sd.calculateGradientsAndOutputs(ph, outputs, paramNames));
      built = true;
    } else {
      og = sd.calculateGradientsAndOutputs(ph, outputs, paramNames);
    }
    Map<String, INDArray> out = og.getOutputs();
    long n = batch.examples();
    for (DcganNetworks.BnStats s : stats) {
      ConvLayers.updateRunning(buffers.get(s.layer() + "/running_mean"), buffers.get(s.layer() + "/running_var"),
          out.get(s.mean().name()), out.get(s.var().name()), n * s.spatial(), ConvLayers.BN_MOMENTUM);
    }
    Map<String, Double> m = new LinkedHashMap<>();
    for (String k : metrics) {
      m.put(k, out.get(k).getDouble(0));
    }
    return new Gradients(out.get(loss).getDouble(0), og.getGradients(), m);
  }
}
