package dev.knoe.control.endpoint;

/**
 * Why the endpoint service refused a request, in the four kinds a client acts on differently; the
 * control API maps each to its HTTP status (in {@code api.Errors}), and nothing below the API
 * speaks HTTP.
 */
public abstract sealed class EndpointException extends RuntimeException {

  private EndpointException(String message) {
    super(message, null, false, false);
  }

  /** The endpoint, deployment or key named does not exist. */
  public static final class NotFound extends EndpointException {
    public NotFound(String message) {
      super(message);
    }
  }

  /** The request contradicts what exists: created twice, deleted while it has traffic. */
  public static final class Conflict extends EndpointException {
    public Conflict(String message) {
      super(message);
    }
  }

  /** {@code If-Match} names a version that is not the current one: read again, then retry. */
  public static final class PreconditionFailed extends EndpointException {
    public PreconditionFailed(String message) {
      super(message);
    }
  }

  /**
   * The request itself is wrong for this endpoint: traffic to an unknown deployment, a bad key
   * type.
   */
  public static final class Invalid extends EndpointException {
    public Invalid(String message) {
      super(message);
    }
  }
}
