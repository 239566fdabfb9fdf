package dev.knoe.scoring.model;

import dev.knoe.scoring.ScoringException;
import dev.knoe.scoring.tensor.DType;
import dev.knoe.scoring.tensor.Tensor;
import java.util.Arrays;

/**
 * One model input or output: its name, element type and shape, where -1 marks a dynamic dimension.
 */
public record TensorSpec(String name, DType type, long[] shape) {

  public boolean dynamicFirstDim() {
    return shape.length > 0 && shape[0] < 0;
  }

  /** Throws a 400 naming the input when the tensor's type or shape cannot feed it. */
  public void check(Tensor t) {
    if (t.type() != type) {
      throw ScoringException.badInput(
          "input '%s' has datatype %s in the model, the request sent %s", name, type, t.type());
    }
    boolean fits = t.shape().length == shape.length;
    for (int i = 0; fits && i < shape.length; i++) {
      fits = shape[i] < 0 || shape[i] == t.shape()[i];
    }
    if (!fits) {
      throw ScoringException.badInput(
          "input '%s' expects shape %s (-1 = any), the request sent shape %s",
          name, Arrays.toString(shape), Arrays.toString(t.shape()));
    }
  }

  @Override
  public String toString() {
    return name + ":" + type + Arrays.toString(shape);
  }
}
