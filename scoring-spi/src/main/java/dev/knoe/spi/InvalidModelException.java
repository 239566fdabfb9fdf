package dev.knoe.spi;

/**
 * A file refused by {@link OnnxModelCheck}. The message names the problem and nothing of where the
 * file lies, so a server can show it for an upload; callers that know the user's path add it.
 */
public final class InvalidModelException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  public InvalidModelException(String problem) {
    super(problem);
  }
}
