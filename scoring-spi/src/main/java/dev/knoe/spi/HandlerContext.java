package dev.knoe.spi;

import java.nio.file.Path;
import java.util.Map;

/** What a handler gets at {@link ScoringHandler#init}. */
public interface HandlerContext {

  /** The model folder ({@code KNOE_MODEL_DIR}, the same as {@code AZUREML_MODEL_DIR}). */
  Path modelDir();

  /** The model's name as the V2 protocol reports it. */
  String modelName();

  /** The ONNX model the scoring function loaded, shared by all requests. */
  Model model();

  /** The deployment's environment variables ({@code environment_variables} in the YAML). */
  Map<String, String> environment();
}
