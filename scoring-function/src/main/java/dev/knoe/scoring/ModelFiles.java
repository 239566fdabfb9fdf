package dev.knoe.scoring;

import dev.knoe.spi.InvalidModelException;
import dev.knoe.spi.ModelFolder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The model file and its name from its folder. Which .onnx file a folder holds, and what the file
 * must be, are {@link ModelFolder}'s and {@link dev.knoe.spi.OnnxModelCheck}'s rules, shared with
 * the control plane and the CLI.
 */
final class ModelFiles {

  private ModelFiles() {}

  /**
   * The model file {@code KNOE_MODEL_DIR} names, refused before ONNX Runtime opens it when it is
   * not a model the registry would have taken: ONNX Runtime would read external data from wherever
   * the file says.
   *
   * @throws IllegalStateException "cannot load ONNX model <file>: <problem>", which stops the start
   */
  static Path checked(Path dir) {
    try {
      return ModelFolder.checkedOnnxFile(dir, "KNOE_MODEL_DIR");
    } catch (InvalidModelException e) {
      throw new IllegalStateException(
          "cannot load ONNX model " + e.file().orElse(dir) + ": " + e.problem(), e);
    }
  }

  /**
   * The V2 model name when none is configured: the folder's name, skipping Azure's inner "model"
   * folder.
   */
  static String defaultName(Path dir) {
    Path p = dir.toAbsolutePath().normalize();
    if (Files.isRegularFile(p)) {
      p = p.getParent();
    }
    if (p.getFileName() != null
        && p.getFileName().toString().equals("model")
        && p.getParent() != null) {
      p = p.getParent();
    }
    return p.getFileName() == null ? "model" : p.getFileName().toString();
  }
}
