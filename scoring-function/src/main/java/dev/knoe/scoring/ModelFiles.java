package dev.knoe.scoring;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Finds the .onnx file in a model folder, as Azure registers folders and files alike. */
final class ModelFiles {

  private ModelFiles() {}

  /** The path itself when it is a file, else {@code model.onnx} in it, else its only .onnx file. */
  static Path find(Path path) {
    if (Files.isRegularFile(path)) {
      return path;
    }
    if (!Files.isDirectory(path)) {
      throw new IllegalStateException("model path " + path + " (KNOE_MODEL_DIR) does not exist");
    }
    Path direct = path.resolve("model.onnx");
    if (Files.isRegularFile(direct)) {
      return direct;
    }
    try (Stream<Path> files = Files.walk(path, 4)) {
      List<Path> onnx = files.filter(p -> p.toString().endsWith(".onnx") && Files.isRegularFile(p)).sorted().toList();
      if (onnx.size() == 1) {
        return onnx.get(0);
      }
      throw new IllegalStateException(onnx.isEmpty()
          ? "no .onnx file in model folder " + path
          : "model folder " + path + " holds several .onnx files " + onnx + "; point KNOE_MODEL_DIR at one of them");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read model folder " + path, e);
    }
  }

  /** The V2 model name when none is configured: the folder's name, skipping Azure's inner "model" folder. */
  static String defaultName(Path dir) {
    Path p = dir.toAbsolutePath().normalize();
    if (Files.isRegularFile(p)) {
      p = p.getParent();
    }
    if (p.getFileName() != null && p.getFileName().toString().equals("model") && p.getParent() != null) {
      p = p.getParent();
    }
    return p.getFileName() == null ? "model" : p.getFileName().toString();
  }
}
