package dev.knoe.spi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Which {@code .onnx} file a model path names. Azure ML registers a model as a file or as a folder
 * (downloaded with extra levels, e.g. {@code <name>/<version>/model/model.onnx}), so a path may be
 * either. The scoring function, the control plane and the CLI all ask this class, so a folder one
 * of them accepts is accepted by the others, and they pick the same file.
 *
 * <p>The rule: a path that exists and is not a folder is the model file itself. In a folder, the
 * regular files whose name ends in {@code .onnx} (any case) down to {@value #DEPTH} levels count;
 * with exactly one, that is the model. With several, {@code model.onnx} directly in the folder wins
 * (the name Knoe's registry and Azure's samples use); otherwise the path is ambiguous.
 *
 * <p>Which file it is says nothing of its content: a caller about to load or store the model takes
 * {@link #checkedOnnxFile}.
 */
public final class ModelFolder {

  /** Levels searched below the folder: {@code <name>/<version>/model/x.onnx} is three deep. */
  public static final int DEPTH = 4;

  /** The file preferred when a folder holds several. */
  public static final String PREFERRED = "model.onnx";

  private ModelFolder() {}

  /**
   * The model file a path names, for a path given as a spec's {@code model.path}.
   *
   * @throws IllegalArgumentException when the path does not exist, the folder holds no {@code
   *     .onnx} file or several without a {@code model.onnx}, or the folder cannot be read
   */
  public static Path onnxFile(Path fileOrFolder) {
    return onnxFile(fileOrFolder, "model.path");
  }

  /**
   * The model file a path names.
   *
   * @param setting what the user sets to choose the model, named in the message about a folder
   *     holding several files, e.g. {@code model.path} or {@code KNOE_MODEL_DIR}
   * @throws IllegalArgumentException when the path does not exist, the folder holds no {@code
   *     .onnx} file or several without a {@code model.onnx}, or the folder cannot be read
   */
  public static Path onnxFile(Path fileOrFolder, String setting) {
    Path path = fileOrFolder;
    if (!Files.exists(path)) {
      throw new IllegalArgumentException("model path " + path + " does not exist");
    }
    if (!Files.isDirectory(path)) {
      return path;
    }
    List<Path> found = onnxFiles(path);
    if (found.size() == 1) {
      return found.get(0);
    }
    Path preferred = path.resolve(PREFERRED);
    if (found.contains(preferred)) {
      return preferred;
    }
    if (found.isEmpty()) {
      throw new IllegalArgumentException("model folder " + path + " holds 0 .onnx files");
    }
    throw new IllegalArgumentException(
        "model folder "
            + path
            + " holds "
            + found.size()
            + " .onnx files "
            + found
            + " and no "
            + PREFERRED
            + "; point "
            + setting
            + " at one of them");
  }

  /**
   * The model file a path names, checked by {@link OnnxModelCheck} as about to be loaded or stored:
   * its external data must stay inside the path given (the folder, or the file's own folder).
   *
   * @param setting as for {@link #onnxFile(Path, String)}
   * @throws IllegalArgumentException as {@link #onnxFile(Path, String)}, or an {@link
   *     InvalidModelException} naming the file and its problem
   */
  public static Path checkedOnnxFile(Path fileOrFolder, String setting) {
    Path file = onnxFile(fileOrFolder, setting);
    Path root = Files.isDirectory(fileOrFolder) ? fileOrFolder : file.toAbsolutePath().getParent();
    try {
      OnnxModelCheck.check(file, root);
    } catch (InvalidModelException e) {
      throw new InvalidModelException(file, e.problem());
    }
    return file;
  }

  /** The {@code .onnx} files in a folder down to {@link #DEPTH} levels, sorted. */
  private static List<Path> onnxFiles(Path folder) {
    try (Stream<Path> files = Files.walk(folder, DEPTH)) {
      return files
          .filter(p -> String.valueOf(p.getFileName()).toLowerCase(Locale.ROOT).endsWith(".onnx"))
          .filter(Files::isRegularFile)
          .sorted()
          .toList();
    } catch (IOException | UncheckedIOException e) {
      // Walking throws the unchecked kind for a subfolder it cannot open.
      throw new IllegalArgumentException(
          "cannot read model folder " + folder + ": " + e.getMessage(), e);
    }
  }
}
