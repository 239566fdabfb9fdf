package dev.knoe.control.cli;

/**
 * A failure the CLI reports as one line, {@code knoe: error: <message>}, with its exit code:
 * {@value #USAGE} when the command line itself is wrong, {@value #FAILED} when the operation failed
 * (the server refused it, a file is invalid, a deployment failed or timed out, the server is
 * unreachable).
 */
final class CliException extends RuntimeException {

  static final int FAILED = 1;
  static final int USAGE = 2;

  private static final long serialVersionUID = 1L;

  private final int exitCode;

  private CliException(String message, int exitCode, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  /** The command line is wrong: a flag value, a missing or conflicting flag. Exit code 2. */
  static CliException usage(String message) {
    return new CliException(message, USAGE, null);
  }

  /** The operation failed. Exit code 1. */
  static CliException failed(String message) {
    return new CliException(message, FAILED, null);
  }

  /** The operation failed because of {@code cause} (shown with {@code KNOE_DEBUG=1}). */
  static CliException failed(String message, Throwable cause) {
    return new CliException(message, FAILED, cause);
  }

  int exitCode() {
    return exitCode;
  }
}
