package dev.knoe.scoring.handler;

import dev.knoe.scoring.model.OnnxModel;
import dev.knoe.scoring.model.TensorSpec;
import dev.knoe.spi.Model;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The loaded ONNX model as a handler sees it. */
public record HandlerModel(OnnxModel model) implements Model {

  @Override
  public Map<String, TensorInfo> inputs() {
    return infos(model.signature().inputs());
  }

  @Override
  public Map<String, TensorInfo> outputs() {
    return infos(model.signature().outputs());
  }

  @Override
  public Map<String, Object> predict(Map<String, Object> inputs) throws Exception {
    return model.runArrays(inputs);
  }

  private static Map<String, TensorInfo> infos(List<TensorSpec> specs) {
    Map<String, TensorInfo> m = new LinkedHashMap<>();
    specs.forEach(s -> m.put(s.name(), new TensorInfo(s.type().name(), s.shape().clone())));
    return m;
  }
}
