package dev.knoe.scoring.model;

import dev.knoe.scoring.ScoringException;
import dev.knoe.scoring.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** A model's inputs and outputs, in the model's order. */
public record Signature(List<TensorSpec> inputs, List<TensorSpec> outputs) {

  public Signature {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
  }

  /**
   * Whether requests can be merged along the first dimension and split back: every input and output
   * has a dynamic first dimension. A model that fixes its batch size, or has a scalar output, is
   * always run one request at a time.
   */
  public boolean batchable() {
    return !inputs.isEmpty()
        && inputs.stream().allMatch(TensorSpec::dynamicFirstDim)
        && outputs.stream().allMatch(TensorSpec::dynamicFirstDim);
  }

  public TensorSpec input(String name) {
    return inputs.stream()
        .filter(s -> s.name().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                ScoringException.badInput(
                    "unknown input '%s': the model's inputs are %s", name, inputNames()));
  }

  public String inputNames() {
    return inputs.stream().map(TensorSpec::name).collect(Collectors.joining(", ", "[", "]"));
  }

  public String outputNames() {
    return outputs.stream().map(TensorSpec::name).collect(Collectors.joining(", ", "[", "]"));
  }

  /** Checks a complete request: every input present with a type and shape the model accepts. */
  public void check(Map<String, Tensor> request) {
    for (String name : request.keySet()) {
      input(name); // throws for an unknown name
    }
    for (TensorSpec spec : inputs) {
      Tensor t = request.get(spec.name());
      if (t == null) {
        throw ScoringException.badInput(
            "missing input '%s': the model's inputs are %s", spec.name(), inputNames());
      }
      spec.check(t);
    }
  }
}
