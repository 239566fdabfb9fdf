package dev.knoe.scoring;

/**
 * A request that cannot be scored, with the HTTP status a client sees and a message that names the
 * problem. Thrown anywhere on the request path; the HTTP layer turns it into a JSON error.
 */
public final class ScoringException extends RuntimeException {

  /** Why a request failed; each kind has one HTTP status. */
  public enum Kind {
    BAD_INPUT(400),
    UNAUTHORIZED(401),
    NOT_FOUND(404),
    TOO_LARGE(413),
    MISDIRECTED(421),
    HANDLER_FAILED(424),
    NOT_READY(503);

    public final int status;

    Kind(int status) {
      this.status = status;
    }
  }

  private final Kind kind;

  public ScoringException(Kind kind, String message) {
    super(message, null, false, false); // no stack trace: these are expected, frequent and cheap
    this.kind = kind;
  }

  public ScoringException(Kind kind, String message, Throwable cause) {
    super(message, cause, false, false);
    this.kind = kind;
  }

  /**
   * The answer of a revision that stands in for an endpoint with no traffic (HTTP and gRPC alike).
   *
   * @param how what else reaches a deployment on this path, appended to the message ("" for none)
   */
  public static ScoringException noTraffic(String endpoint, String how) {
    return new ScoringException(
        Kind.NOT_FOUND,
        "no deployment of endpoint '"
            + endpoint
            + "' has traffic; set it with 'knoe online-endpoint update -n "
            + endpoint
            + " --traffic \"<deployment>=100\"'"
            + how);
  }

  /** A deployment with a scoring handler and no model: nothing has a signature to show or check. */
  public static ScoringException noModel() {
    return new ScoringException(
        Kind.NOT_FOUND, "this deployment has a scoring handler but no ONNX model");
  }

  public static ScoringException badInput(String format, Object... args) {
    return new ScoringException(Kind.BAD_INPUT, String.format(format, args));
  }

  public Kind kind() {
    return kind;
  }

  public int status() {
    return kind.status;
  }
}
