package dev.knoe.spi;

import java.util.Map;

/** The loaded ONNX model, thread-safe. */
public interface Model {

  /** Input names with their ONNX element type and shape (-1 for a dynamic dimension). */
  Map<String, TensorInfo> inputs();

  /** Output names with their ONNX element type and shape (-1 for a dynamic dimension). */
  Map<String, TensorInfo> outputs();

  /**
   * Runs the model. Values are Java arrays of the input's element type and rank (for example {@code
   * float[][]} for a FLOAT input of shape [N, 10], {@code String[]} for STRING); outputs come back
   * the same way, keyed by output name.
   */
  Map<String, Object> predict(Map<String, Object> inputs) throws Exception;

  /** Element type and shape of one model input or output. */
  record TensorInfo(String datatype, long[] shape) {}
}
