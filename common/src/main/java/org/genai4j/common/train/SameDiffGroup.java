package org.genai4j.common.train;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.genai4j.common.ops.StepContext;
import org.genai4j.common.util.Quiet;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A {@link ParameterGroup} backed by a SameDiff graph: a scalar loss variable, the names of the
 * variables it trains, and a function that turns a {@link Batch} into placeholder values. Extra
 * scalar outputs of the graph can be logged as metrics.
 */
public class SameDiffGroup implements ParameterGroup {

  private final String name;
  private final SameDiff sd;
  private final String loss;
  private final List<String> parameterNames;
  private final Function<Batch, Map<String, INDArray>> placeholders;
  private final Map<String, String> metricOutputs;
  private boolean gradientsBuilt;

  /**
   * @param metricOutputs metric name to the name of a scalar graph variable to log with the loss
   */
  public SameDiffGroup(String name, SameDiff sd, String loss, List<String> parameterNames,
      Function<Batch, Map<String, INDArray>> placeholders, Map<String, String> metricOutputs) {
    this.name = name;
    this.sd = sd;
    this.loss = loss;
    this.parameterNames = List.copyOf(parameterNames);
    this.placeholders = placeholders;
    this.metricOutputs = Map.copyOf(metricOutputs);
    for (String p : parameterNames) {
      if (sd.getVariable(p) == null) {
        throw new IllegalArgumentException("graph has no variable '" + p + "' for group '" + name + "'");
      }
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Map<String, INDArray> parameters() {
    Map<String, INDArray> m = new LinkedHashMap<>();
    for (String p : parameterNames) {
      m.put(p, sd.getArrForVarName(p));
    }
    return m;
  }

  public SameDiff sameDiff() {
    return sd;
  }

  /** The name of the graph's scalar loss variable. */
  public String lossName() {
    return loss;
  }

  /** The names of the variables this group trains. */
  public List<String> parameterNames() {
    return parameterNames;
  }

  /** The placeholder values this group feeds for {@code batch}. */
  public Map<String, INDArray> placeholderValues(Batch batch) {
    return placeholders.apply(batch);
  }

  @Override
  public Gradients computeGradients(Batch batch, StepContext ctx) {
    Map<String, INDArray> ph = placeholders.apply(batch);
    List<String> outs = new ArrayList<>();
    outs.add(loss);
    outs.addAll(metricOutputs.values());
    OutAndGrad og;
    if (!gradientsBuilt) {
      og = Quiet.call(() -> sd.calculateGradientsAndOutputs(ph, outs, parameterNames));
      gradientsBuilt = true;
    } else {
      og = sd.calculateGradientsAndOutputs(ph, outs, parameterNames);
    }
    Map<String, Double> metrics = new HashMap<>();
    metricOutputs.forEach((k, v) -> metrics.put(k, og.getOutputs().get(v).getDouble(0)));
    return new Gradients(og.getOutputs().get(loss).getDouble(0), og.getGradients(), metrics);
  }
}
