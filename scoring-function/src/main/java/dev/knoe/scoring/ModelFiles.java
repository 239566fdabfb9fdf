package dev.knoe.scoring;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The model's name from its folder. Which .onnx file a folder holds is {@link
 * dev.knoe.spi.ModelFolder}'s rule, shared with the control plane and the CLI.
 */
final class ModelFiles {

  private ModelFiles() {}

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
