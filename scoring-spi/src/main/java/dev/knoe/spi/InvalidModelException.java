package dev.knoe.spi;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A file refused by {@link OnnxModelCheck}. The {@link #problem} names what is wrong and nothing of
 * where the file lies, so a server can show it for an upload; the {@link #file}, when the user gave
 * it, is named in the message too.
 */
public final class InvalidModelException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final String problem;

  /** A problem of a file that is not the user's to name (an upload's temp file). */
  public InvalidModelException(String problem) {
    this(null, problem);
  }

  /**
   * @param file the model file as the user named it, or null
   */
  public InvalidModelException(Path file, String problem) {
    super(
        file == null ? problem : "model file " + file + " is not a usable ONNX model: " + problem);
    this.file = file;
    this.problem = problem;
  }

  public Optional<Path> file() {
    return Optional.ofNullable(file);
  }

  /** What is wrong, e.g. "the file is empty". */
  public String problem() {
    return problem;
  }
}
